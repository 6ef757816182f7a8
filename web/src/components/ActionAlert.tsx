// An error the reader can act on in place: the message (in either direction) and one link-like
// button beside it, "retry" or "dismiss".

export interface ActionAlertProps {
  message: string;
  action: string;
  onAction(): void;
  /** Extra classes for where the alert stands. */
  className?: string;
}

export function ActionAlert({ message, action, onAction, className }: ActionAlertProps) {
  return (
    <div className={className ? `${className} alert alert--error` : "alert alert--error"} role="alert">
      <span dir="auto">{message}</span>{" "}
      <button type="button" className="btn btn--link" onClick={onAction}>
        {action}
      </button>
    </div>
  );
}
