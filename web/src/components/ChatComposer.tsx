import { useId, type FormEvent, type KeyboardEvent, type Ref } from "react";
import { charCount, MAX_MESSAGE_CHARS } from "../chat";
import { intlTagOf } from "../i18n";
import { useChatText } from "./chatText";
import { ltrText } from "./Ltr";

export interface ChatComposerProps {
  value: string;
  onChange(value: string): void;
  onSend(): void;
  ref?: Ref<HTMLTextAreaElement>;
}

/** Near the limit the composer counts the characters, so a long message is split before the server refuses it. */
const COUNT_FROM = MAX_MESSAGE_CHARS * 0.9;

/**
 * Where the director writes: Enter sends, Shift+Enter adds a line (and Enter while an input
 * method is composing a word only ends the word). The text is written in either direction.
 */
export function ChatComposer({ value, onChange, onSend, ref }: ChatComposerProps) {
  const { tr, locale } = useChatText();
  const hintId = useId();
  const count = charCount(value);
  const blank = value.trim() === "";

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!blank) onSend();
  };
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (!blank) onSend();
  };

  return (
    <form className="chat-composer" onSubmit={submit}>
      <textarea
        ref={ref}
        aria-label={tr("chatMessage")}
        dir="auto"
        rows={2}
        value={value}
        aria-describedby={hintId}
        placeholder={tr("chatMessage")}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={keyDown}
      />
      <div className="chat-composer__bar">
        <span id={hintId} className="chat-composer__hint muted">
          {tr("chatComposerHint")}
        </span>
        {count >= COUNT_FROM && (
          <span className={count > MAX_MESSAGE_CHARS ? "chat-composer__count chat-composer__count--over" : "chat-composer__count"}>
            {tr("chatChars", { count: ltrText(count.toLocaleString(intlTagOf(locale))), max: ltrText(MAX_MESSAGE_CHARS.toLocaleString(intlTagOf(locale))) })}
          </span>
        )}
        <button type="submit" className="btn btn--primary" disabled={blank}>
          {tr("chatSend")}
        </button>
      </div>
    </form>
  );
}
