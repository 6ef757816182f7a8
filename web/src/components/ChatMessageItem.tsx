import { useState } from "react";
import type { Outcome } from "../actions";
import type { ApiClient } from "../api";
import type { Message } from "../chat";
import { ChatProposal } from "./ChatProposal";
import { ChatScript } from "./ChatScript";
import { ChatToolCalls } from "./ChatToolCalls";
import { flawLabel, speakerLabel, useChatText } from "./chatText";

export interface ChatMessageItemProps {
  api: ApiClient;
  projectId: string;
  message: Message;
  onApply(messageId: string): Promise<{ alreadyApplied: boolean }>;
  /** A shot's number in the dashboard's order, for the tool calls' words. */
  shotNumber(shotId: string): string;
  onRan?(outcome: Outcome): void;
}

/**
 * One stored message: who said it and when, its words in their own direction, and what the
 * assistant put beside them — questions, named flaws, the script it proposed (opened on
 * demand), a proposed fix for the shot, the dashboard actions it proposes (each run from here).
 */
export function ChatMessageItem({ api, projectId, message, onApply, shotNumber, onRan }: ChatMessageItemProps) {
  const { tr, time, fullTime } = useChatText();
  const [scriptOpen, setScriptOpen] = useState(false);
  return (
    <li className={`chat-msg chat-msg--${message.speaker}`} data-message-id={message.messageId} data-speaker={message.speaker}>
      <div className="chat-msg__meta">
        <span className="chat-msg__speaker">{speakerLabel(tr, message.speaker)}</span>
        {message.createdAt !== "" && (
          <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
            {time(message.createdAt)}
          </time>
        )}
      </div>
      {message.content !== "" && (
        <p className="chat-msg__text" dir="auto">
          {message.content}
        </p>
      )}
      {message.questions.length > 0 && (
        <section className="chat-msg__extra chat-questions" aria-label={tr("chatQuestions")}>
          <h5>{tr("chatQuestions")}</h5>
          <ol>
            {message.questions.map((question, i) => (
              <li key={i}>
                <span dir="auto">{question}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      {message.flaws.length > 0 && (
        <section className="chat-msg__extra" aria-label={tr("chatFlaws")}>
          <h5>{tr("chatFlaws")}</h5>
          <ul className="chat-flaws">
            {message.flaws.map((flaw, i) => (
              <li key={i}>
                <span className={`chat-tag chat-tag--${flaw.kind}`}>{flawLabel(tr, flaw.kind)}</span>
                <span dir="auto">{flaw.text}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {message.scriptId !== null && (
        <div className="chat-msg__extra">
          <button type="button" className="btn btn--link" aria-expanded={scriptOpen} onClick={() => setScriptOpen((o) => !o)}>
            {tr(scriptOpen ? "scriptHide" : "scriptShow")}
          </button>
          {scriptOpen && <ChatScript api={api} projectId={projectId} scriptId={message.scriptId} />}
        </div>
      )}
      {message.proposal !== null && (
        <ChatProposal proposal={message.proposal} applied={message.applied} onApply={() => onApply(message.messageId)} />
      )}
      {message.toolCalls.length > 0 && (
        <ChatToolCalls api={api} projectId={projectId} calls={message.toolCalls} shotNumber={shotNumber} onRan={onRan} />
      )}
    </li>
  );
}
