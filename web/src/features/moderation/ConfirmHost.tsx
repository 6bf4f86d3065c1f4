import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { ConfirmDialog } from "../../components/Dialog";

/**
 * Mounted once in the shell: when the server asks for a confirmation (publishing or sharing an
 * item never reviewed), shows a dialog; Confirm re-sends the request with "confirm": true.
 */
export function ConfirmHost() {
  const [ask, setAsk] = useState<{ message: string; resolve: (ok: boolean) => void } | null>(null);
  useEffect(() => {
    api.onConfirmationRequired = (message) => new Promise<boolean>((resolve) => setAsk({ message, resolve }));
    return () => { api.onConfirmationRequired = null; };
  }, []);
  const answer = (ok: boolean) => {
    ask?.resolve(ok);
    setAsk(null);
  };
  // Rendered only while asking: the page's own dialogs stay the only ones in the document.
  if (!ask) return null;
  return (
    <ConfirmDialog open title="This item was never reviewed" confirmLabel="Confirm"
      onCancel={() => answer(false)} onConfirm={() => answer(true)}>
      <p data-testid="confirm-message">{ask.message}</p>
      <p className="small">Confirm to go ahead anyway, or flag it and have it reviewed first.</p>
    </ConfirmDialog>
  );
}
