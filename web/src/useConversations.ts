// The selected project's conversations and which of them are open side by side. It lives in
// the dashboard (not in the chat panel) because the shots table opens a shot's QA conversation
// too: the newest one on that shot, or a new one when the shot has none.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type ApiClient } from "./api";
import type { Conversation, NewConversation } from "./chat";
import { t } from "./i18n";
import type { Loaded } from "./useLoaded";

export interface Conversations {
  list: Loaded<Conversation[]>;
  /** The open conversations' ids, in the order they were opened. */
  open: readonly string[];
  /** The column whose composer takes the focus; `seq` asks again for the same one. */
  focus: { conversationId: string; seq: number } | null;
  /** Why the last create or QA opening failed. */
  error: string | null;
  dismissError(): void;
  reload(): void;
  toggle(conversationId: string): void;
  /** Makes a conversation and opens it; resolves to false when the server refused it. */
  create(conversation: NewConversation): Promise<boolean>;
  /** Opens the shot's newest QA conversation, made with `title` when it has none. */
  openShotQa(shotId: string, title: string): Promise<void>;
}

interface State {
  /** The project the rest belongs to: another project's list and columns are never shown. */
  projectId: string | null;
  list: Loaded<Conversation[]>;
  open: string[];
  focus: Conversations["focus"];
  error: string | null;
}

function fresh(projectId: string | null): State {
  return { projectId, list: { kind: "loading" }, open: [], focus: null, error: null };
}

function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t("networkError");
}

export function useConversations(api: ApiClient, projectId: string | null): Conversations {
  const [raw, setState] = useState<State>(() => fresh(projectId));
  const [reloads, setReloads] = useState(0);
  const state = raw.projectId === projectId ? raw : fresh(projectId);

  const shown = useRef(projectId);
  shown.current = projectId;

  /** Updates the current project's state; an answer that comes after a switch changes nothing. */
  const update = useCallback(
    (change: (s: State) => State) => {
      if (shown.current !== projectId) return;
      setState((s) => change(s.projectId === projectId ? s : fresh(projectId)));
    },
    [projectId],
  );
  const setList = useCallback((list: Loaded<Conversation[]>) => update((s) => ({ ...s, list })), [update]);

  useEffect(() => {
    if (projectId === null) return;
    const controller = new AbortController();
    update((s) => ({ ...s, list: { kind: "loading" } }));
    api.listConversations(projectId, controller.signal).then(
      (conversations) => {
        if (!controller.signal.aborted) setList({ kind: "ready", value: conversations });
      },
      (err: unknown) => {
        if (controller.signal.aborted || (err instanceof ApiError && err.unauthorized)) return;
        setList({ kind: "error", message: messageOf(err) });
      },
    );
    return () => controller.abort();
  }, [api, projectId, reloads, update, setList]);

  const opened = useCallback(
    (conversation: Conversation) => {
      update((s) => ({
        ...s,
        open: s.open.includes(conversation.conversationId) ? s.open : [...s.open, conversation.conversationId],
        focus: { conversationId: conversation.conversationId, seq: (s.focus?.seq ?? 0) + 1 },
        error: null,
      }));
    },
    [update],
  );

  const listed = useCallback(
    (conversation: Conversation) =>
      update((s) =>
        s.list.kind === "ready" && !s.list.value.some((c) => c.conversationId === conversation.conversationId)
          ? { ...s, list: { kind: "ready", value: [conversation, ...s.list.value] } }
          : s,
      ),
    [update],
  );

  const failed = useCallback(
    (err: unknown) => {
      if (!(err instanceof ApiError && err.unauthorized)) update((s) => ({ ...s, error: messageOf(err) }));
    },
    [update],
  );

  const create = useCallback(
    async (conversation: NewConversation) => {
      if (projectId === null) return false;
      try {
        const made = await api.createConversation(projectId, conversation);
        listed(made);
        opened(made);
        return true;
      } catch (err) {
        failed(err);
        return false;
      }
    },
    [api, projectId, listed, opened, failed],
  );

  const openShotQa = useCallback(
    async (shotId: string, title: string) => {
      if (projectId === null) return;
      try {
        // Read afresh: the conversation may have been made since the list was read.
        const all = await api.listConversations(projectId);
        setList({ kind: "ready", value: all });
        const existing = all.find((c) => c.topic === "shot_qa" && c.shotId === shotId);
        const conversation = existing ?? (await api.createConversation(projectId, { topic: "shot_qa", title, shotId }));
        listed(conversation);
        opened(conversation);
      } catch (err) {
        failed(err);
      }
    },
    [api, projectId, setList, listed, opened, failed],
  );

  const toggle = useCallback(
    (conversationId: string) =>
      update((s) =>
        s.open.includes(conversationId)
          ? { ...s, open: s.open.filter((id) => id !== conversationId) }
          : { ...s, open: [...s.open, conversationId] },
      ),
    [update],
  );

  return {
    list: state.list,
    open: state.open,
    focus: state.focus,
    error: state.error,
    dismissError: useCallback(() => update((s) => ({ ...s, error: null })), [update]),
    reload: useCallback(() => setReloads((n) => n + 1), []),
    toggle,
    create,
    openShotQa,
  };
}
