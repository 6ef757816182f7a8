// The chat's interface language is its own: Hebrew (right to left) by default, with an English
// toggle that switches only the chat, so the chat's components read their locale from this
// context instead of the dashboard's global one. Message text keeps `dir="auto"` either way.

import { createContext, useContext, useMemo } from "react";
import { intlTagOf, translate, type Locale, type MessageKey } from "../i18n";

export const ChatLocale = createContext<Locale>("he");

export interface ChatText {
  locale: Locale;
  tr(key: MessageKey, params?: Record<string, string | number>): string;
  /** A message's time: the hour on its day, the date too before it. */
  time(iso: string): string;
  /** The full date and time, for a tooltip. */
  fullTime(iso: string): string;
}

export function useChatText(): ChatText {
  const locale = useContext(ChatLocale);
  return useMemo(() => {
    const tag = intlTagOf(locale);
    const format = (iso: string, options: Intl.DateTimeFormatOptions) => {
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(tag, options).format(date);
    };
    return {
      locale,
      tr: (key, params) => translate(locale, key, params),
      time: (iso) =>
        format(iso, new Date(iso).toDateString() === new Date().toDateString() ? { timeStyle: "short" } : { dateStyle: "short", timeStyle: "short" }),
      fullTime: (iso) => format(iso, { dateStyle: "full", timeStyle: "medium" }),
    };
  }, [locale]);
}

const TOPICS: Record<string, MessageKey> = { story: "topicStory", shot_qa: "topicShotQa", general: "topicGeneral" };
const SPEAKERS: Record<string, MessageKey> = { user: "speakerUser", assistant: "speakerAssistant", tool: "speakerTool" };
const FLAWS: Record<string, MessageKey> = { logic: "flawLogic", atmosphere: "flawAtmosphere" };

/** The label of `value` from `labels`; a value the UI does not know is shown raw. */
function labelOf(labels: Record<string, MessageKey>, tr: ChatText["tr"], value: string): string {
  return Object.prototype.hasOwnProperty.call(labels, value) ? tr(labels[value]!) : value;
}

export const topicLabel = (tr: ChatText["tr"], topic: string) => labelOf(TOPICS, tr, topic);
export const speakerLabel = (tr: ChatText["tr"], speaker: string) => labelOf(SPEAKERS, tr, speaker);
export const flawLabel = (tr: ChatText["tr"], kind: string) => labelOf(FLAWS, tr, kind);
