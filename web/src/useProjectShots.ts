// State of the selected project's shots: REST loading, live updates over
// Socket.IO, and the shot actions (generate, approve, reject, refine), run through
// actions.ts's runAction like the chat's tool calls. The same connection carries
// the project's RENDER_PROGRESS and CHAT_MESSAGE events, handed on through `renderProgress`
// and `chatMessages`.

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { runAction, type ShotAction } from "./actions";
import { ApiError, type ApiClient, type Shot } from "./api";
import { t } from "./i18n";
import {
  connectProject,
  createChatMessageHub,
  createRenderProgressHub,
  type ChatMessageSource,
  type ConnectionState,
  type RenderProgressSource,
  type SocketFactory,
} from "./realtime";
import { applyShotUpdate, mergeFetchedShots, upsertShot, type ShotUpdate } from "./shots";

export interface ShotsState {
  shots: Shot[];
  /** True while a REST fetch is running. */
  loading: boolean;
  /** True once a fetch succeeded for the current project. */
  loaded: boolean;
  error: string | null;
  /** Bumped when an event names a shot we do not have: re-fetch. */
  refetchToken: number;
}

type Action =
  | { type: "reset" }
  | { type: "fetchStart" }
  | { type: "fetchOk"; shots: Shot[] }
  | { type: "fetchFail"; message: string }
  | { type: "update"; update: ShotUpdate }
  | { type: "upsert"; shot: Shot };

export const initialShotsState: ShotsState = {
  shots: [],
  loading: false,
  loaded: false,
  error: null,
  refetchToken: 0,
};

export function shotsReducer(state: ShotsState, action: Action): ShotsState {
  switch (action.type) {
    case "reset":
      return { ...initialShotsState, refetchToken: state.refetchToken };
    case "fetchStart":
      return { ...state, loading: true };
    case "fetchOk":
      return {
        ...state,
        shots: mergeFetchedShots(state.shots, action.shots),
        loading: false,
        loaded: true,
        error: null,
      };
    case "fetchFail":
      return { ...state, loading: false, error: action.message };
    case "update": {
      const result = applyShotUpdate(state.shots, action.update);
      if (result.kind === "applied") return { ...state, shots: result.shots };
      if (result.kind === "unknown") return { ...state, refetchToken: state.refetchToken + 1 };
      return state;
    }
    case "upsert":
      return { ...state, shots: upsertShot(state.shots, action.shot) };
  }
}

export interface UseProjectShotsOptions {
  api: ApiClient;
  token: string;
  projectId: string | null;
  socketFactory?: SocketFactory;
}

export interface ProjectShots extends ShotsState {
  connection: ConnectionState;
  /** Shot ids with a generate / approve / reject / refine request running. */
  pending: ReadonlySet<string>;
  actionError: string | null;
  dismissActionError(): void;
  refresh(): void;
  /** Resolves to true when the server accepted the action. */
  approve(shotId: string): Promise<boolean>;
  reject(shotId: string, reason: string): Promise<boolean>;
  generate(shotId: string): Promise<boolean>;
  /** Null when the server took the command; else its reason (a 422 names it), shown by the form. */
  refine(shotId: string, command: string): Promise<string | null>;
  /** What a shot action run elsewhere (the chat) answered: the shot it returned, or null to re-read. */
  absorb(shot: Shot | null): void;
  /** The RENDER_PROGRESS events of the project's room (stable across renders). */
  renderProgress: RenderProgressSource;
  /** The CHAT_MESSAGE events of the project's room (stable across renders). */
  chatMessages: ChatMessageSource;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return t("networkError");
}

export function useProjectShots({
  api,
  token,
  projectId,
  socketFactory,
}: UseProjectShotsOptions): ProjectShots {
  const [state, dispatch] = useReducer(shotsReducer, initialShotsState);
  const [connection, setConnection] = useState<ConnectionState>({ kind: "connecting" });
  const [pending, setPending] = useState<ReadonlySet<string>>(() => new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  const [hub] = useState(createRenderProgressHub);
  const [chatHub] = useState(createChatMessageHub);

  // One fetch at a time per project; a request made meanwhile runs once the
  // current one ends. `generation` discards answers for a previous project.
  const fetcher = useRef({ generation: 0, inFlight: false, again: false });

  const refresh = useCallback(() => {
    if (projectId === null) return;
    const f = fetcher.current;
    const run = () => {
      if (f.inFlight) {
        f.again = true;
        return;
      }
      const generation = f.generation;
      f.inFlight = true;
      f.again = false;
      dispatch({ type: "fetchStart" });
      api.listShots(projectId).then(
        (shots) => {
          if (generation === f.generation) dispatch({ type: "fetchOk", shots });
        },
        (err: unknown) => {
          if (generation !== f.generation) return;
          // A 401 has already sent the user back to the login form.
          if (err instanceof ApiError && err.unauthorized) return;
          dispatch({ type: "fetchFail", message: messageOf(err) });
        },
      ).finally(() => {
        if (generation !== f.generation) return;
        f.inFlight = false;
        if (f.again) run();
      });
    };
    run();
  }, [api, projectId]);

  useEffect(() => {
    const f = fetcher.current;
    f.generation++;
    f.inFlight = false;
    f.again = false;
    dispatch({ type: "reset" });
    setActionError(null);
    setPending(new Set());
    if (projectId === null) return;

    refresh();
    const connection = connectProject({
      token,
      projectId,
      socketFactory,
      onState: setConnection,
      onShotUpdated: (update) => dispatch({ type: "update", update }),
      onRenderProgress: hub.publish,
      onChatMessage: chatHub.publish,
      onResync: refresh,
    });
    return () => {
      connection.close();
      f.generation++;
    };
  }, [projectId, token, socketFactory, refresh, hub, chatHub]);

  // An event for a shot we have no row for: fetch the list again.
  const handledRefetch = useRef(state.refetchToken);
  useEffect(() => {
    if (state.refetchToken === handledRefetch.current) return;
    handledRefetch.current = state.refetchToken;
    refresh();
  }, [state.refetchToken, refresh]);

  const absorb = useCallback(
    (shot: Shot | null) => {
      if (shot !== null && (shot.projectId === "" || shot.projectId === projectId)) {
        dispatch({ type: "upsert", shot });
      } else {
        refresh();
      }
    },
    [projectId, refresh],
  );

  /** Runs a shot's action; null when accepted, else the server's reason (not shown here when `inForm`). */
  const act = useCallback(
    async (action: ShotAction, inForm = false): Promise<string | null> => {
      const { shotId } = action;
      const generation = fetcher.current.generation;
      setActionError(null);
      setPending((p) => new Set(p).add(shotId));
      try {
        const { result } = await runAction(api, projectId ?? "", action);
        if (generation === fetcher.current.generation) absorb(result);
        return null;
      } catch (err) {
        if (!inForm && !(err instanceof ApiError && err.unauthorized) && generation === fetcher.current.generation) {
          setActionError(messageOf(err));
        }
        return messageOf(err);
      } finally {
        setPending((p) => {
          const next = new Set(p);
          next.delete(shotId);
          return next;
        });
      }
    },
    [api, projectId, absorb],
  );

  const approve = useCallback(async (shotId: string) => (await act({ tool: "approve", shotId })) === null, [act]);
  const reject = useCallback(
    async (shotId: string, reason: string) => (await act({ tool: "reject", shotId, reason })) === null,
    [act],
  );
  const generate = useCallback(async (shotId: string) => (await act({ tool: "generate", shotId })) === null, [act]);
  const refine = useCallback((shotId: string, command: string) => act({ tool: "refine", shotId, command }, true), [act]);
  const dismissActionError = useCallback(() => setActionError(null), []);

  return {
    ...state,
    connection,
    pending,
    actionError,
    dismissActionError,
    refresh,
    approve,
    reject,
    generate,
    refine,
    absorb,
    renderProgress: hub,
    chatMessages: chatHub,
  };
}
