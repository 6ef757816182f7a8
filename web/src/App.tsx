import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Outcome } from "./actions";
import { ApiError, createApiClient, type ApiClient, type ApiClientOptions, type FetchLike, type Project } from "./api";
import type { Budget } from "./budget";
import { AnalysisPanel } from "./components/AnalysisPanel";
import { BudgetPanel } from "./components/BudgetPanel";
import { ChatPanel } from "./components/ChatPanel";
import { ConnectionStatus } from "./components/ConnectionStatus";
import { KeysPanel } from "./components/KeysPanel";
import { Login } from "./components/Login";
import { NewProjectForm } from "./components/NewProjectForm";
import { ProjectPicker } from "./components/ProjectPicker";
import { ProviderHealthStrip } from "./components/ProviderHealthStrip";
import { RenderPanel, type AdoptedRender } from "./components/RenderPanel";
import { ScenesPanel } from "./components/ScenesPanel";
import { ShotsTable } from "./components/ShotsTable";
import { VersionBrowser } from "./components/VersionBrowser";
import { t, translate, type Locale } from "./i18n";
import { defaultSocketFactory, type SocketFactory } from "./realtime";
import { clearToken, loadToken, saveToken } from "./session";
import { useConversations } from "./useConversations";
import { useProjectShots } from "./useProjectShots";
import type { XhrFactory } from "./upload";

export interface AppProps {
  /** Injected in tests; the global fetch otherwise. */
  fetch?: FetchLike;
  /** Injected in tests (uploads); the browser's XMLHttpRequest otherwise. */
  xhr?: XhrFactory;
  /** Injected in tests; socket.io-client's io() otherwise. */
  socketFactory?: SocketFactory;
  /** Where the token is kept; localStorage otherwise. */
  storage?: Storage;
  /** Injected in tests (the parity test records the calls); createApiClient otherwise. */
  createApi?: (options: ApiClientOptions) => ApiClient;
}

export const PROJECT_PARAM = "project";

function projectFromUrl(): string | null {
  const id = new URLSearchParams(window.location.search).get(PROJECT_PARAM);
  return id && id !== "" ? id : null;
}

function writeProjectToUrl(projectId: string): void {
  const url = new URL(window.location.href);
  if (url.searchParams.get(PROJECT_PARAM) === projectId) return;
  url.searchParams.set(PROJECT_PARAM, projectId);
  window.history.pushState({ projectId }, "", url);
}

export default function App({ fetch, xhr, socketFactory = defaultSocketFactory, storage, createApi = createApiClient }: AppProps) {
  const store = storage ?? window.localStorage;
  const [token, setToken] = useState<string | null>(() => loadToken(store));
  const [loginMessage, setLoginMessage] = useState<string | null>(null);
  const tokenRef = useRef(token);
  tokenRef.current = token;

  const login = useCallback(
    (value: string) => {
      saveToken(store, value);
      setLoginMessage(null);
      setToken(value);
    },
    [store],
  );

  const logout = useCallback(
    (message: string | null) => {
      clearToken(store);
      setLoginMessage(message);
      setToken(null);
    },
    [store],
  );

  const api = useMemo<ApiClient | null>(() => {
    if (token === null) return null;
    return createApi({
      getToken: () => token,
      fetch,
      xhr,
      onUnauthorized: () => {
        // Only a 401 for the token in use ends the session; a late answer
        // to a request made with an older token does not.
        if (tokenRef.current === token) logout(t("sessionRejected"));
      },
    });
  }, [token, fetch, xhr, logout, createApi]);

  if (token === null || api === null) return <Login message={loginMessage} onLogin={login} />;
  return (
    <Dashboard
      key={token}
      api={api}
      token={token}
      socketFactory={socketFactory}
      onLogout={() => logout(null)}
    />
  );
}

type ProjectsState =
  | { kind: "loading" }
  | { kind: "ready"; projects: Project[] }
  | { kind: "error"; message: string };

interface DashboardProps {
  api: ApiClient;
  token: string;
  socketFactory: SocketFactory;
  onLogout(): void;
}

function Dashboard({ api, token, socketFactory, onLogout }: DashboardProps) {
  const [projects, setProjects] = useState<ProjectsState>({ kind: "loading" });
  const [reloadProjects, setReloadProjects] = useState(0);
  const [wanted, setWanted] = useState<string | null>(projectFromUrl);

  useEffect(() => {
    const controller = new AbortController();
    setProjects({ kind: "loading" });
    api.listProjects(controller.signal).then(
      (list) => setProjects({ kind: "ready", projects: list }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.unauthorized) return;
        setProjects({
          kind: "error",
          message: err instanceof ApiError ? err.message : t("networkError"),
        });
      },
    );
    return () => controller.abort();
  }, [api, reloadProjects]);

  // Back / forward between ?project=… URLs.
  useEffect(() => {
    const onPop = () => setWanted(projectFromUrl());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const select = useCallback((projectId: string) => {
    writeProjectToUrl(projectId);
    setWanted(projectId);
  }, []);

  const [creating, setCreating] = useState(false);
  /** The project just made whose analysis its panel should start. */
  const [analyseOnOpen, setAnalyseOnOpen] = useState<string | null>(null);
  const created = useCallback(
    (projectId: string, analyse: boolean) => {
      setCreating(false);
      setAnalyseOnOpen(analyse ? projectId : null);
      setReloadProjects((n) => n + 1);
      select(projectId);
    },
    [select],
  );
  const autoStarted = useCallback(() => setAnalyseOnOpen(null), []);

  const list = projects.kind === "ready" ? projects.projects : [];
  const activeProject = wanted !== null ? list.find((p) => p.projectId === wanted) ?? null : null;
  const notFound = projects.kind === "ready" && wanted !== null && activeProject === null;

  const shots = useProjectShots({
    api,
    token,
    projectId: activeProject?.projectId ?? null,
    socketFactory,
  });

  const conversations = useConversations(api, activeProject?.projectId ?? null);
  const [chatLocale, setChatLocale] = useState<Locale>("he");

  // What a tool call run from the chat answered, shown where the dashboard shows its own
  // buttons' answers (both run through actions.ts's runAction); kept for the project it ran in.
  const [adopted, setAdopted] = useState<(AdoptedRender & { projectId: string }) | null>(null);
  const [chatBudget, setChatBudget] = useState<{ projectId: string; budget: Budget } | null>(null);
  const { absorb } = shots;
  const activeId = activeProject?.projectId ?? null;
  useEffect(() => {
    // Another project's panels start afresh; coming back must not follow an old render again.
    setAdopted(null);
    setChatBudget(null);
  }, [activeId]);
  const ran = useCallback(
    (projectId: string, outcome: Outcome) => {
      if (outcome.tool === "render") {
        const { mode, overlay } = outcome.action;
        setAdopted({ projectId, started: outcome.result, mode, overlay: overlay === true });
      } else if (outcome.tool === "set_budget_cap") {
        setChatBudget({ projectId, budget: outcome.result });
      } else {
        absorb(outcome.result);
      }
    },
    [absorb],
  );

  /** The shot whose version browser is open, in the project it was opened from. */
  const [versionsOf, setVersionsOf] = useState<{ projectId: string; shotId: string; number: number } | null>(null);

  return (
    <div className="app">
      <header className="app__header">
        <h1>{t("appTitle")}</h1>
        {activeProject && <ConnectionStatus state={shots.connection} />}
        <button type="button" className="btn btn--link" onClick={onLogout}>
          {t("logout")}
        </button>
      </header>
      <ProviderHealthStrip api={api} />

      <main className="app__main">
        <section className="app__projects">
          {projects.kind === "loading" && <p className="muted">{t("loadingProjects")}</p>}
          {projects.kind === "error" && (
            <div className="alert alert--error" role="alert">
              {projects.message}{" "}
              <button type="button" className="btn btn--link" onClick={() => setReloadProjects((n) => n + 1)}>
                {t("retry")}
              </button>
            </div>
          )}
          <div className="app__projects-bar">
            {projects.kind === "ready" && (
              <ProjectPicker projects={projects.projects} selected={activeProject?.projectId ?? null} onSelect={select} />
            )}
            {!creating && (
              <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
                {t("newProject")}
              </button>
            )}
          </div>
          {creating && <NewProjectForm api={api} onCreated={created} onClose={() => setCreating(false)} />}
          {notFound && (
            <p className="alert alert--warning" role="alert">
              {t("projectNotFound", { id: wanted ?? "" })}
            </p>
          )}
        </section>

        {activeProject && (
          <section className="app__shots" aria-busy={shots.loading || undefined}>
            <h2>{activeProject.name}</h2>
            <BudgetPanel
              api={api}
              projectId={activeProject.projectId}
              latest={chatBudget?.projectId === activeProject.projectId ? chatBudget.budget : null}
            />
            <AnalysisPanel
              key={`analysis:${activeProject.projectId}`}
              api={api}
              projectId={activeProject.projectId}
              songUrl={activeProject.songUrl ?? null}
              autoStart={analyseOnOpen === activeProject.projectId}
              onAutoStarted={autoStarted}
            />
            {shots.actionError && (
              <div className="alert alert--error" role="alert">
                {shots.actionError}{" "}
                <button type="button" className="btn btn--link" onClick={shots.dismissActionError}>
                  {t("dismiss")}
                </button>
              </div>
            )}
            {shots.error && (
              <div className="alert alert--error" role="alert">
                {shots.error}{" "}
                <button type="button" className="btn btn--link" onClick={shots.refresh}>
                  {t("retry")}
                </button>
              </div>
            )}
            {!shots.loaded && shots.loading && <p className="muted">{t("loadingShots")}</p>}
            {shots.loaded && (
              <ShotsTable
                shots={shots.shots}
                pending={shots.pending}
                onGenerate={(id) => void shots.generate(id)}
                onApprove={(id) => void shots.approve(id)}
                onReject={shots.reject}
                onRefine={shots.refine}
                onVersions={(shotId, number) => setVersionsOf({ projectId: activeProject.projectId, shotId, number })}
                onQa={(shotId, n) => void conversations.openShotQa(shotId, translate(chatLocale, "chatDefaultQa", { n }))}
              />
            )}
            {versionsOf?.projectId === activeProject.projectId && (
              <VersionBrowser
                key={versionsOf.shotId}
                api={api}
                shotId={versionsOf.shotId}
                shotLabel={t("shotNumber", { n: versionsOf.number })}
                onClose={() => setVersionsOf(null)}
              />
            )}
            <ChatPanel
              api={api}
              projectId={activeProject.projectId}
              shots={shots.shots}
              conversations={conversations}
              events={shots.chatMessages}
              live={shots.connection.kind === "connected"}
              locale={chatLocale}
              onLocale={setChatLocale}
              onRan={(outcome) => ran(activeProject.projectId, outcome)}
            />
            <ScenesPanel api={api} projectId={activeProject.projectId} />
            <RenderPanel
              key={activeProject.projectId}
              api={api}
              projectId={activeProject.projectId}
              progressSource={shots.renderProgress}
              shots={shots.shots}
              adopted={adopted?.projectId === activeProject.projectId ? adopted : null}
            />
            <KeysPanel key={`keys:${activeProject.projectId}`} api={api} projectId={activeProject.projectId} />
          </section>
        )}
      </main>
    </div>
  );
}
