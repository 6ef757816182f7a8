import { useCallback, useId, useMemo, useState } from "react";
import type { Outcome } from "../actions";
import type { ApiClient, Shot } from "../api";
import { dirOf, type Locale } from "../i18n";
import type { ChatMessageSource } from "../realtime";
import { sortShots } from "../shots";
import type { Conversations } from "../useConversations";
import { ChatColumn } from "./ChatColumn";
import { ChatLocale, useChatText } from "./chatText";
import { ConversationList } from "./ConversationList";
import { NewConversationForm } from "./NewConversationForm";
import { ActionAlert } from "./ActionAlert";

export interface ChatPanelProps {
  api: ApiClient;
  projectId: string;
  /** The project's shots: QA conversations and tool calls name a shot by its row (sortShots order). */
  shots: readonly Shot[];
  conversations: Conversations;
  /** The project room's CHAT_MESSAGE events. */
  events: ChatMessageSource;
  /** True while the project's socket is joined. */
  live: boolean;
  /** The chat's own interface language (Hebrew, right to left, by default). */
  locale: Locale;
  onLocale(locale: Locale): void;
  /** Told what a tool call run from the chat answered, so the dashboard shows it. */
  onRan?(outcome: Outcome): void;
  pollMs?: number;
}

/**
 * The project's conversations with the models: the list on the side, a new conversation, and
 * the open ones as columns side by side (the story interview beside QA on a shot), in a
 * language of the chat's own that the toggle switches between Hebrew and English.
 */
export function ChatPanel(props: ChatPanelProps) {
  return (
    <ChatLocale.Provider value={props.locale}>
      <ChatView {...props} />
    </ChatLocale.Provider>
  );
}

function ChatView({ api, projectId, shots, conversations, events, live, locale, onLocale, onRan, pollMs }: ChatPanelProps) {
  const { tr } = useChatText();
  const titleId = useId();
  const [creating, setCreating] = useState(false);

  const rowOf = useMemo(() => new Map(sortShots(shots).map((s, i) => [s.shotId, i + 1])), [shots]);
  const shotLabel = useCallback(
    (shotId: string) => {
      const n = rowOf.get(shotId);
      return n === undefined ? shotId.slice(0, 8) : tr("shotNumber", { n });
    },
    [rowOf, tr],
  );
  const shotNumber = useCallback((shotId: string) => String(rowOf.get(shotId) ?? shotId.slice(0, 8)), [rowOf]);

  const list = conversations.list;
  const byId = new Map(list.kind === "ready" ? list.value.map((c) => [c.conversationId, c]) : []);
  const columns = conversations.open.flatMap((id) => byId.get(id) ?? []);

  return (
    <section className="panel chat" dir={dirOf(locale)} lang={locale} aria-labelledby={titleId}>
      <div className="chat__head">
        <h3 id={titleId}>{tr("chatTitle")}</h3>
        <div className="chat__lang" role="group" aria-label={tr("chatLanguage")}>
          {(["he", "en"] as const).map((l) => (
            <button key={l} type="button" lang={l} aria-pressed={locale === l} onClick={() => onLocale(l)}>
              {tr(l === "he" ? "chatLangHe" : "chatLangEn")}
            </button>
          ))}
        </div>
      </div>
      {conversations.error && (
        <ActionAlert
          message={tr("chatCreateError", { message: conversations.error })}
          action={tr("dismiss")}
          onAction={conversations.dismissError}
        />
      )}
      <div className="chat__body">
        <nav className="chat__side" aria-label={tr("chatList")}>
          {creating ? (
            <NewConversationForm shots={shots} onCreate={conversations.create} onClose={() => setCreating(false)} />
          ) : (
            <button type="button" className="btn btn--primary chat__new" onClick={() => setCreating(true)}>
              {tr("chatNew")}
            </button>
          )}
          {list.kind === "loading" && <p className="muted">{tr("chatLoading")}</p>}
          {list.kind === "error" && (
            <ActionAlert
              message={tr("chatReadListError", { message: list.message })}
              action={tr("retry")}
              onAction={conversations.reload}
            />
          )}
          {list.kind === "ready" &&
            (list.value.length === 0 ? (
              <p className="muted">{tr("chatNone")}</p>
            ) : (
              <ConversationList
                conversations={list.value}
                open={conversations.open}
                shotLabel={shotLabel}
                onToggle={conversations.toggle}
              />
            ))}
        </nav>
        <div className="chat__columns" role="group" aria-label={tr("chatColumns")}>
          {columns.length === 0 ? (
            <p className="panel__empty muted">{tr("chatNoneOpen")}</p>
          ) : (
            columns.map((c) => (
              <ChatColumn
                key={c.conversationId}
                api={api}
                projectId={projectId}
                conversation={c}
                shotLabel={c.shotId === null ? null : shotLabel(c.shotId)}
                shotNumber={shotNumber}
                onRan={onRan}
                events={events}
                live={live}
                focusSeq={conversations.focus?.conversationId === c.conversationId ? conversations.focus.seq : null}
                onClose={() => conversations.toggle(c.conversationId)}
                pollMs={pollMs}
              />
            ))
          )}
        </div>
      </div>
    </section>
  );
}
