import { useEffect, useId, useRef, useState } from "react";
import type { Outcome } from "../actions";
import type { ApiClient } from "../api";
import type { Conversation } from "../chat";
import type { ChatMessageSource } from "../realtime";
import { useConversation, type Outgoing } from "../useConversation";
import { ChatComposer } from "./ChatComposer";
import { ChatMessageItem } from "./ChatMessageItem";
import { speakerLabel, topicLabel, useChatText } from "./chatText";
import { TypingIndicator } from "./TypingIndicator";
import { ActionAlert } from "./ActionAlert";

export interface ChatColumnProps {
  api: ApiClient;
  projectId: string;
  conversation: Conversation;
  /** "Shot 3" for a QA conversation. */
  shotLabel: string | null;
  /** A shot's number in the dashboard's order, for the tool calls' words. */
  shotNumber(shotId: string): string;
  /** Told what a tool call run from this column answered. */
  onRan?(outcome: Outcome): void;
  events: ChatMessageSource;
  live: boolean;
  /** Changes when the composer should take the focus. */
  focusSeq: number | null;
  onClose(): void;
  pollMs?: number;
}

/**
 * One open conversation as a column: its messages oldest first, kept scrolled to the newest,
 * the typing dots while the model answers, and the composer.
 */
export function ChatColumn({ api, projectId, conversation, shotLabel, shotNumber, onRan, events, live, focusSeq, onClose, pollMs }: ChatColumnProps) {
  const { tr } = useChatText();
  const view = useConversation({ api, conversationId: conversation.conversationId, events, live, pollMs });
  const [draft, setDraft] = useState("");
  const titleId = useId();
  const composer = useRef<HTMLTextAreaElement>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focusSeq !== null) composer.current?.focus();
  }, [focusSeq]);

  const messages = view.conversed?.messages ?? [];
  const shown = messages.length + view.outgoing.length;
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown, view.thinking]);

  const send = async () => {
    const content = draft.trim();
    if (content === "") return;
    setDraft("");
    const back = await view.send(content);
    if (back !== null) setDraft((d) => (d === "" ? back : d));
  };
  const edit = (clientMessageId: string) => {
    const content = view.withdraw(clientMessageId);
    setDraft((d) => (d === "" ? content : `${d}\n${content}`));
    composer.current?.focus();
  };

  const progress = view.conversed?.progress ?? null;
  return (
    <article className="chat-col" aria-labelledby={titleId} data-conversation-id={conversation.conversationId} data-topic={conversation.topic}>
      <header className="chat-col__head">
        <span className={`chat-tag chat-tag--${conversation.topic}`}>{topicLabel(tr, conversation.topic)}</span>
        <h4 id={titleId} className="chat-col__title" dir="auto" title={conversation.title}>
          {conversation.title}
        </h4>
        {shotLabel && <span className="chat-col__shot muted">{shotLabel}</span>}
        <button type="button" className="chat-col__close" aria-label={tr("chatClose")} title={tr("chatClose")} onClick={onClose}>
          ✕
        </button>
      </header>
      {conversation.topic === "general" && <p className="chat-col__notice chat-col__hint muted">{tr("chatGeneralNotice")}</p>}
      {view.readError && (
        <ActionAlert
          className="chat-col__notice"
          message={tr("chatReadError", { message: view.readError })}
          action={tr("retry")}
          onAction={view.reread}
        />
      )}
      <div className="chat-col__scroll" ref={scroller}>
        {view.conversed === null && !view.readError && <p className="muted">{tr("chatReading")}</p>}
        {view.conversed !== null && shown === 0 && <p className="chat-col__empty muted">{tr("chatEmpty")}</p>}
        <ol className="chat-log" role="log" aria-labelledby={titleId}>
          {messages.map((message) => (
            <ChatMessageItem
              key={message.messageId}
              api={api}
              projectId={projectId}
              message={message}
              onApply={view.apply}
              shotNumber={shotNumber}
              onRan={onRan}
            />
          ))}
          {view.outgoing.map((message) => (
            <OutgoingItem key={message.clientMessageId} message={message} onRetry={view.retry} onEdit={edit} />
          ))}
        </ol>
        {view.thinking && <TypingIndicator refused={progress?.refused.length ?? 0} />}
        {!view.thinking && progress?.error && (
          <p className="alert alert--warning" dir="auto">
            {tr("chatNoReply", { message: progress.error })}
          </p>
        )}
      </div>
      {view.refusal && (
        <ActionAlert
          className="chat-col__notice"
          message={tr("chatSendFailed", { message: view.refusal })}
          action={tr("dismiss")}
          onAction={view.dismissRefusal}
        />
      )}
      <ChatComposer ref={composer} value={draft} onChange={setDraft} onSend={() => void send()} />
    </article>
  );
}

interface OutgoingItemProps {
  message: Outgoing;
  onRetry(clientMessageId: string): void;
  onEdit(clientMessageId: string): void;
}

/** The director's message on its way; one that failed to arrive is sent again as the same message. */
function OutgoingItem({ message, onRetry, onEdit }: OutgoingItemProps) {
  const { tr } = useChatText();
  const failed = message.state === "failed";
  return (
    <li className={failed ? "chat-msg chat-msg--user chat-msg--failed" : "chat-msg chat-msg--user chat-msg--pending"} data-speaker="user">
      <div className="chat-msg__meta">
        <span className="chat-msg__speaker">{speakerLabel(tr, "user")}</span>
        {message.state === "sending" && <span>{tr("chatSending")}</span>}
      </div>
      <p className="chat-msg__text" dir="auto">
        {message.content}
      </p>
      {failed && (
        <div className="chat-msg__failed" role="alert">
          <span dir="auto">{tr("chatSendFailed", { message: message.error ?? "" })}</span>
          <span className="chat-msg__actions">
            <button type="button" className="btn" onClick={() => onRetry(message.clientMessageId)}>
              {tr("chatRetry")}
            </button>
            <button type="button" className="btn btn--link" onClick={() => onEdit(message.clientMessageId)}>
              {tr("chatEdit")}
            </button>
          </span>
        </div>
      )}
    </li>
  );
}
