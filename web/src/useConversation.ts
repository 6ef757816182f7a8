// One open conversation: its messages as the gateway has them, read again whenever CHAT_MESSAGE
// names it (and after a reconnect, and every few seconds while the model answers, since events
// are not replayed), and the director's messages on their way. A message keeps the id drawn
// when it was written, so sending it again after a network error is the same message; a
// message the server refuses (too long, blank) goes back to the composer with the server's
// reason.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type ApiClient } from "./api";
import { newClientMessageId, type Conversed } from "./chat";
import { t } from "./i18n";
import type { ChatMessageSource } from "./realtime";

export interface Outgoing {
  clientMessageId: string;
  content: string;
  /** sent: answered 202, not yet read back among the messages. */
  state: "sending" | "sent" | "failed";
  /** Why a failed send failed. */
  error: string | null;
}

export interface UseConversationOptions {
  api: ApiClient;
  conversationId: string;
  events: ChatMessageSource;
  /** True while the project's socket is joined; each time it becomes true, read again. */
  live: boolean;
  /** How often to read again while the model answers; 4 s by default. */
  pollMs?: number;
}

export interface ConversationView {
  /** The messages last read; null before the first answer. */
  conversed: Conversed | null;
  readError: string | null;
  /** The director's messages not yet read back, oldest first. */
  outgoing: Outgoing[];
  /** The model is answering, or a message is on its way to it. */
  thinking: boolean;
  /** The server's reason for refusing the last message. */
  refusal: string | null;
  dismissRefusal(): void;
  reread(): void;
  /** Sends a new message; resolves to the text to give back to the composer when refused. */
  send(content: string): Promise<string | null>;
  /** Sends a failed message again, with the same id. */
  retry(clientMessageId: string): void;
  /** Drops a failed message; answers its text, to edit. */
  withdraw(clientMessageId: string): string;
  /** Applies a proposal, then reads the conversation again; rejects with the server's ApiError. */
  apply(messageId: string): Promise<{ alreadyApplied: boolean }>;
}

/** A network error or an unavailable server may not have stored the message: send it again. */
function retryable(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
}

function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t("networkError");
}

export function useConversation({ api, conversationId, events, live, pollMs = 4000 }: UseConversationOptions): ConversationView {
  const [conversed, setConversed] = useState<Conversed | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  const [refusal, setRefusal] = useState<string | null>(null);
  // Only the newest read is shown; nothing lands after unmounting.
  const reads = useRef({ latest: 0, alive: true });

  const reread = useCallback(() => {
    const r = reads.current;
    const n = ++r.latest;
    api.listMessages(conversationId).then(
      (answer) => {
        if (!r.alive || n !== r.latest) return;
        setConversed(answer);
        setReadError(null);
        const stored = new Set(answer.messages.map((m) => m.messageId));
        setOutgoing((o) => o.filter((m) => !stored.has(m.clientMessageId)));
      },
      (err: unknown) => {
        if (!r.alive || n !== r.latest || (err instanceof ApiError && err.unauthorized)) return;
        setReadError(messageOf(err));
      },
    );
  }, [api, conversationId]);

  useEffect(() => {
    const r = reads.current;
    r.alive = true;
    reread();
    const stop = events.subscribe((event) => {
      if (event.conversationId === conversationId) reread();
    });
    return () => {
      r.alive = false;
      stop();
    };
  }, [events, conversationId, reread]);

  // Events missed while the socket was down are not replayed.
  const wasLive = useRef(live);
  useEffect(() => {
    if (live && !wasLive.current) reread();
    wasLive.current = live;
  }, [live, reread]);

  const thinking = conversed?.state === "thinking" || outgoing.some((m) => m.state !== "failed");
  useEffect(() => {
    if (!thinking) return;
    const timer = window.setInterval(reread, pollMs);
    return () => window.clearInterval(timer);
  }, [thinking, pollMs, reread]);

  const mark = useCallback((clientMessageId: string, state: Outgoing["state"], error: string | null = null) => {
    setOutgoing((o) => o.map((m) => (m.clientMessageId === clientMessageId ? { ...m, state, error } : m)));
  }, []);

  const deliver = useCallback(
    async (clientMessageId: string, content: string): Promise<string | null> => {
      setRefusal(null);
      try {
        await api.sendMessage(conversationId, content, clientMessageId);
        mark(clientMessageId, "sent");
        reread();
        return null;
      } catch (err) {
        if (retryable(err)) {
          mark(clientMessageId, "failed", messageOf(err));
          return null;
        }
        setOutgoing((o) => o.filter((m) => m.clientMessageId !== clientMessageId));
        if (!(err instanceof ApiError && err.unauthorized)) setRefusal(messageOf(err));
        return content;
      }
    },
    [api, conversationId, mark, reread],
  );

  const send = useCallback(
    (content: string) => {
      const clientMessageId = newClientMessageId();
      setOutgoing((o) => [...o, { clientMessageId, content, state: "sending", error: null }]);
      return deliver(clientMessageId, content);
    },
    [deliver],
  );

  const retry = useCallback(
    (clientMessageId: string) => {
      const message = outgoing.find((m) => m.clientMessageId === clientMessageId);
      if (!message || message.state !== "failed") return;
      mark(clientMessageId, "sending");
      void deliver(clientMessageId, message.content);
    },
    [outgoing, mark, deliver],
  );

  const withdraw = useCallback(
    (clientMessageId: string) => {
      setOutgoing((o) => o.filter((m) => m.clientMessageId !== clientMessageId));
      return outgoing.find((m) => m.clientMessageId === clientMessageId)?.content ?? "";
    },
    [outgoing],
  );

  const apply = useCallback(
    async (messageId: string) => {
      const answer = await api.applyProposal(conversationId, messageId);
      reread();
      return answer;
    },
    [api, conversationId, reread],
  );

  return {
    conversed,
    readError,
    outgoing,
    thinking,
    refusal,
    dismissRefusal: useCallback(() => setRefusal(null), []),
    reread,
    send,
    retry,
    withdraw,
    apply,
  };
}
