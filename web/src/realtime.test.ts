import { afterEach, describe, expect, it, vi } from "vitest";
import { connectProject, createRenderProgressHub, type ConnectionState } from "./realtime";
import { fakeSocketFactory } from "./test/fakes";

function setup(projectId = "p1") {
  const sockets = fakeSocketFactory();
  const states: ConnectionState[] = [];
  const onShotUpdated = vi.fn();
  const onResync = vi.fn();
  const onRenderProgress = vi.fn();
  const onChatMessage = vi.fn();
  const connection = connectProject({
    token: "tok-1",
    projectId,
    socketFactory: sockets.factory,
    joinTimeoutMs: 5000,
    onState: (s) => states.push(s),
    onShotUpdated,
    onRenderProgress,
    onChatMessage,
    onResync,
  });
  return { sockets, socket: sockets.last, states, onShotUpdated, onRenderProgress, onChatMessage, onResync, connection, lastState: () => states[states.length - 1] };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("connectProject", () => {
  it("opens a websocket-only socket with the token as auth", () => {
    const { sockets, lastState } = setup();
    expect(sockets.factory).toHaveBeenCalledWith({ auth: { token: "tok-1" }, transports: ["websocket"] });
    expect(lastState()).toEqual({ kind: "connecting" });
  });

  it("joins the project room on connect and re-fetches once the join is acknowledged", () => {
    const { socket, onResync, lastState } = setup("proj-42");
    socket.serverConnect();
    const joins = socket.emits("join");
    expect(joins).toHaveLength(1);
    expect(joins[0]![0]).toEqual({ projectId: "proj-42" });
    expect(typeof joins[0]![1]).toBe("function");
    expect(onResync).not.toHaveBeenCalled();

    socket.ackJoin({ ok: true });
    expect(lastState()).toEqual({ kind: "connected" });
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it("joins again and re-fetches after a reconnect", () => {
    const { socket, onResync, lastState } = setup();
    socket.serverConnect();
    socket.ackJoin({ ok: true });

    socket.connected = false;
    socket.fire("disconnect", "transport close");
    expect(lastState()).toEqual({ kind: "reconnecting" });

    socket.serverConnect();
    expect(socket.emits("join")).toHaveLength(2);
    socket.ackJoin({ ok: true });
    expect(onResync).toHaveBeenCalledTimes(2);
    expect(lastState()).toEqual({ kind: "connected" });
  });

  it("shows a refused join with the server's error", () => {
    const { socket, onResync, lastState } = setup();
    socket.serverConnect();
    socket.ackJoin({ ok: false, error: "אין הרשאה לפרויקט" });
    expect(lastState()).toEqual({ kind: "refused", message: "אין הרשאה לפרויקט" });
    expect(onResync).not.toHaveBeenCalled();
  });

  it("accepts an {code, message} join error too", () => {
    const { socket, lastState } = setup();
    socket.serverConnect();
    socket.ackJoin({ ok: false, error: { code: "forbidden", message: "forbidden project" } });
    expect(lastState()).toEqual({ kind: "refused", message: "forbidden project" });
  });

  it("shows a refused handshake with the server's message", () => {
    const { socket, lastState } = setup();
    socket.serverRefuse("invalid token");
    expect(lastState()).toEqual({ kind: "refused", message: "invalid token" });
  });

  it("shows reconnecting on a transport error", () => {
    const { socket, lastState } = setup();
    socket.transportError();
    expect(lastState()).toEqual({ kind: "reconnecting" });
  });

  it("shows disconnected when the server closes the connection", () => {
    const { socket, lastState } = setup();
    socket.serverConnect();
    socket.ackJoin({ ok: true });
    socket.active = false;
    socket.fire("disconnect", "io server disconnect");
    expect(lastState()).toEqual({ kind: "disconnected" });
  });

  it("gives up on a join that is never acknowledged", () => {
    vi.useFakeTimers();
    const { socket, onResync, lastState } = setup();
    socket.serverConnect();
    vi.advanceTimersByTime(5000);
    expect(lastState()).toMatchObject({ kind: "refused" });
    socket.ackJoin({ ok: true }); // too late
    expect(onResync).not.toHaveBeenCalled();
  });

  it("forwards valid SHOT_UPDATED events of its project only", () => {
    const { socket, onShotUpdated } = setup("p1");
    const payload = { projectId: "p1", shotId: "s1", status: "COMPLETED", revision: 2, updatedAt: "t" };
    socket.fire("SHOT_UPDATED", payload);
    socket.fire("SHOT_UPDATED", { ...payload, projectId: "other" });
    socket.fire("SHOT_UPDATED", { shotId: "s1" });
    expect(onShotUpdated).toHaveBeenCalledTimes(1);
    expect(onShotUpdated).toHaveBeenCalledWith(payload);
  });

  it("close() disconnects and silences everything after", () => {
    const { socket, connection, states, onShotUpdated, onResync } = setup();
    socket.serverConnect();
    connection.close();
    expect(socket.active).toBe(false);
    const count = states.length;
    socket.ackJoin({ ok: true });
    socket.fire("SHOT_UPDATED", { projectId: "p1", shotId: "s1", status: "X", revision: 1, updatedAt: "" });
    socket.fire("connect_error", new Error("x"));
    expect(states).toHaveLength(count);
    expect(onResync).not.toHaveBeenCalled();
    expect(onShotUpdated).not.toHaveBeenCalled();
  });

  it("hands on RENDER_PROGRESS events of its project only", () => {
    const { socket, onRenderProgress, connection } = setup("p1");
    socket.serverConnect();
    socket.ackJoin({ ok: true });
    socket.fire("RENDER_PROGRESS", { projectId: "p1", renderId: "r1", done: 3, total: 10, stage: "conforming" });
    socket.fire("RENDER_PROGRESS", { projectId: "p2", renderId: "r9", done: 1, total: 1, stage: "done" });
    socket.fire("RENDER_PROGRESS", { projectId: "p1", done: 1 });
    expect(onRenderProgress.mock.calls).toEqual([
      [{ projectId: "p1", renderId: "r1", done: 3, total: 10, stage: "conforming" }],
    ]);
    connection.close();
    socket.fire("RENDER_PROGRESS", { projectId: "p1", renderId: "r1", done: 4, total: 10, stage: "conforming" });
    expect(onRenderProgress).toHaveBeenCalledTimes(1);
  });

  it("hands on CHAT_MESSAGE events of its project only, as gateway/src/events.rs emits them", () => {
    const { socket, onChatMessage, connection } = setup("p1");
    socket.serverConnect();
    socket.ackJoin({ ok: true });
    const reply = {
      projectId: "p1",
      conversationId: "c1",
      messageId: "m2",
      speaker: "assistant",
      content: "מי איתה?",
      scriptId: "sc1",
      createdAt: "2025-01-01T10:00:00Z",
    };
    socket.fire("CHAT_MESSAGE", reply);
    socket.fire("CHAT_MESSAGE", { ...reply, projectId: "p2" });
    socket.fire("CHAT_MESSAGE", { projectId: "p1", content: "no ids" });
    expect(onChatMessage.mock.calls).toEqual([[{ projectId: "p1", conversationId: "c1", messageId: "m2", speaker: "assistant" }]]);
    connection.close();
    socket.fire("CHAT_MESSAGE", reply);
    expect(onChatMessage).toHaveBeenCalledTimes(1);
  });
});

describe("createRenderProgressHub", () => {
  it("hands every event to the subscribers until they leave", () => {
    const hub = createRenderProgressHub();
    const a = vi.fn();
    const b = vi.fn();
    const leaveA = hub.subscribe(a);
    hub.subscribe(b);
    const event = { projectId: "p1", renderId: "r1", stage: "joining", done: 0, total: 1 };
    hub.publish(event);
    leaveA();
    hub.publish({ ...event, stage: "muxing" });
    expect(a.mock.calls).toEqual([[event]]);
    expect(b).toHaveBeenCalledTimes(2);
  });
});
