import { ltrText } from "./Ltr";
import { useChatText } from "./chatText";

/**
 * The assistant is answering: three dots that rise in turn (still under
 * prefers-reduced-motion), with words beside them for whoever cannot see them move.
 */
export function TypingIndicator({ refused }: { refused: number }) {
  const { tr } = useChatText();
  return (
    <div className="chat-typing" role="status" aria-label={tr("chatThinking")}>
      <span className="chat-typing__dots" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      <span className="chat-typing__text">{tr("chatThinking")}</span>
      {refused > 0 && <span className="chat-typing__refused">{tr("chatRefusedSoFar", { count: ltrText(refused) })}</span>}
    </div>
  );
}
