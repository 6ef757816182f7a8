import { isKnownStatus, statusLabel } from "../i18n";

/** A coloured badge with the status's label; an unknown status is shown raw. */
export function StatusBadge({ status }: { status: string }) {
  const known = isKnownStatus(status);
  const variant = known ? status.toLowerCase().replace(/_/g, "-") : "unknown";
  return (
    <span className={`badge badge--${variant}`} data-status={status} title={known ? status : undefined}>
      {statusLabel(status)}
    </span>
  );
}
