import { useId, useState, type FormEvent } from "react";
import type { Shot } from "../api";
import type { NewConversation, Topic } from "../chat";
import { formatMs } from "../shots";
import { topicLabel, useChatText } from "./chatText";

export interface NewConversationFormProps {
  shots: readonly Shot[];
  /** Resolves to true once the conversation is made (the form then closes). */
  onCreate(conversation: NewConversation): Promise<boolean>;
  onClose(): void;
}

const TOPICS: Topic[] = ["story", "shot_qa", "general"];

/**
 * Starts a conversation: the story interview, QA on one of the project's shots, or a general
 * one. The title may be left empty; the topic (and the shot's number) then names it.
 */
export function NewConversationForm({ shots, onCreate, onClose }: NewConversationFormProps) {
  const { tr } = useChatText();
  const [topic, setTopic] = useState<Topic>("story");
  const [shotId, setShotId] = useState("");
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { topic: useId(), shot: useId(), title: useId() };

  const defaultTitle = () => {
    if (topic === "story") return tr("chatDefaultStory");
    if (topic === "general") return tr("chatDefaultGeneral");
    return tr("chatDefaultQa", { n: shots.findIndex((s) => s.shotId === shotId) + 1 });
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (topic === "shot_qa" && shotId === "") {
      setError(tr("chatShotRequired"));
      return;
    }
    setError(null);
    setBusy(true);
    const made = await onCreate({
      topic,
      title: title.trim() || defaultTitle(),
      ...(topic === "shot_qa" ? { shotId } : {}),
    });
    setBusy(false);
    if (made) onClose();
  };

  return (
    <form className="chat-new" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={ids.topic}>{tr("chatTopic")}</label>
      <select id={ids.topic} value={topic} onChange={(e) => setTopic(e.target.value as Topic)}>
        {TOPICS.map((value) => (
          <option key={value} value={value}>
            {topicLabel(tr, value)}
          </option>
        ))}
      </select>
      {topic === "shot_qa" &&
        (shots.length === 0 ? (
          <p className="muted">{tr("chatNoShots")}</p>
        ) : (
          <>
            <label htmlFor={ids.shot}>{tr("chatShot")}</label>
            <select
              id={ids.shot}
              value={shotId}
              aria-invalid={error !== null || undefined}
              onChange={(e) => setShotId(e.target.value)}
            >
              <option value="">{tr("chatChooseShot")}</option>
              {shots.map((shot, i) => (
                <option key={shot.shotId} value={shot.shotId}>
                  {tr("shotNumber", { n: i + 1 })} · {formatMs(shot.startMs)}
                  {shot.lyricsSnippet ? ` · ${shot.lyricsSnippet}` : ""}
                </option>
              ))}
            </select>
          </>
        ))}
      <label htmlFor={ids.title}>{tr("chatTitleLabel")}</label>
      <input id={ids.title} dir="auto" value={title} maxLength={200} placeholder={defaultTitle()} onChange={(e) => setTitle(e.target.value)} />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="chat-new__buttons">
        <button type="submit" className="btn btn--primary" disabled={busy || (topic === "shot_qa" && shots.length === 0)}>
          {tr("chatCreate")}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {tr("cancel")}
        </button>
      </div>
    </form>
  );
}
