import type { Conversation } from "../chat";
import { topicLabel, useChatText } from "./chatText";

export interface ConversationListProps {
  conversations: readonly Conversation[];
  open: readonly string[];
  shotLabel(shotId: string): string;
  onToggle(conversationId: string): void;
}

/** The project's conversations, newest first; each row opens its column, or closes it again. */
export function ConversationList({ conversations, open, shotLabel, onToggle }: ConversationListProps) {
  const { tr, time, fullTime } = useChatText();
  return (
    <ul className="chat-list">
      {conversations.map((c) => (
        <li key={c.conversationId}>
          <button
            type="button"
            className="chat-list__item"
            aria-pressed={open.includes(c.conversationId)}
            data-conversation-id={c.conversationId}
            onClick={() => onToggle(c.conversationId)}
          >
            <span className="chat-list__title" dir="auto">
              {c.title}
            </span>
            <span className="chat-list__meta">
              <span className={`chat-tag chat-tag--${c.topic}`}>{topicLabel(tr, c.topic)}</span>
              {c.shotId !== null && <span>{shotLabel(c.shotId)}</span>}
              {c.createdAt !== "" && (
                <time dateTime={c.createdAt} title={fullTime(c.createdAt)}>
                  {time(c.createdAt)}
                </time>
              )}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
