import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client";
import { qk } from "../../api/keys";
import { BrandMark } from "../../components/icons";
import { ErrorNote, humanMessage } from "../../components/ui";

/** Log in, or — on first run, when no password exists yet — set one. */
export function LoginPage() {
  const qc = useQueryClient();
  const status = useQuery({ queryKey: qk.authStatus, queryFn: api.authStatus, retry: 1 });
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const setupMode = status.data ? !status.data.password_set : false;

  const submit = useMutation({
    mutationFn: () => (setupMode ? api.setup(password) : api.login(password)),
    onSuccess: (session) => {
      qc.setQueryData(qk.me, session);
    },
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    if (setupMode) {
      if (password.length < 8) return setLocalError("Use at least 8 characters.");
      if (password !== confirm) return setLocalError("The two passwords differ.");
    }
    submit.mutate();
  };

  return (
    <main className="login" id="main">
      <form className="card stack" onSubmit={onSubmit} aria-labelledby="login-title">
        <div className="login__mark"><BrandMark size={64} /></div>
        <h1 id="login-title" style={{ textAlign: "center" }}>{setupMode ? "Welcome to Beacon" : "Beacon"}</h1>
        <p className="muted small" style={{ textAlign: "center" }}>
          {setupMode ? "Choose a password to protect your studio." : "Your local studio. Enter your password."}
        </p>
        <label className="field">
          <span>Password</span>
          <input className="input" type="password" name="password" autoComplete={setupMode ? "new-password" : "current-password"}
            value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
        </label>
        {setupMode && (
          <label className="field">
            <span>Repeat password</span>
            <input className="input" type="password" name="confirm" autoComplete="new-password"
              value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
          </label>
        )}
        {localError && <p className="error-text" role="alert">{localError}</p>}
        {submit.error && (
          <p className="alert" role="alert">
            {submit.error instanceof ApiError && submit.error.status === 401 ? "Wrong password. Try again." : humanMessage(submit.error.message)}
          </p>
        )}
        <ErrorNote error={status.error} />
        <button className="btn btn--cta" type="submit" disabled={submit.isPending || status.isPending}>
          {setupMode ? "Set password and enter" : "Log in"}
        </button>
      </form>
    </main>
  );
}
