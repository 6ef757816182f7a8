import { useId, useState, type FormEvent } from "react";
import { t } from "../i18n";

export interface LoginProps {
  /** Why the user is here again (e.g. the token was rejected). */
  message: string | null;
  onLogin(token: string): void;
}

export function Login({ message, onLogin }: LoginProps) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = token.trim();
    if (value === "") {
      setError(t("tokenRequired"));
      return;
    }
    onLogin(value);
  };

  const shown = error ?? message;
  return (
    <main className="login">
      <h1>{t("appTitle")}</h1>
      <form className="login__form" onSubmit={submit} noValidate aria-label={t("loginTitle")}>
        <h2>{t("loginTitle")}</h2>
        {shown && (
          <p className="alert alert--error" role="alert">
            {shown}
          </p>
        )}
        <label htmlFor={inputId}>{t("tokenLabel")}</label>
        <input
          id={inputId}
          type="password"
          dir="ltr"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus
        />
        <button type="submit">{t("loginSubmit")}</button>
      </form>
    </main>
  );
}
