import { t } from "../i18n";
import type { ConnectionState } from "../realtime";

export function connectionText(state: ConnectionState): string {
  switch (state.kind) {
    case "connecting":
      return t("connConnecting");
    case "connected":
      return t("connConnected");
    case "reconnecting":
      return t("connReconnecting");
    case "refused":
      return t("connRefused", { message: state.message });
    case "disconnected":
      return t("connDisconnected");
  }
}

/** The live-update connection state, announced politely to screen readers. */
export function ConnectionStatus({ state }: { state: ConnectionState }) {
  return (
    <div className={`conn conn--${state.kind}`} role="status" data-state={state.kind}>
      <span className="conn__dot" aria-hidden="true" />
      <span className="conn__text">{connectionText(state)}</span>
    </div>
  );
}
