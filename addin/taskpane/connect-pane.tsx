/** Connect: the server address and a token (or Microsoft sign-in), checked before anything is saved. */
import { Button, Checkbox, Field, Input, Text } from "@fluentui/react-components";
import { useEffect, useState, type ReactElement } from "react";
import type { WorkbookGateway } from "../excel/gateway.js";
import { ApiError, type ApiClient } from "../sync/api-client.js";
import { KEYS } from "../sync/workbook-state.js";
import type { Session } from "./session.js";
import { useStyles } from "./styles.js";

export function ConnectPane(props: {
  gateway: WorkbookGateway;
  defaultServerUrl: string;
  makeClient: (s: Session) => ApiClient;
  getEntraToken: (() => Promise<string>) | undefined;
  session: Session | null;
  onConnected: (s: Session, remember: boolean) => void;
  onSignOut: () => void;
  onError: (e: unknown, what: string) => void;
  /** A new attempt: the last attempt's message no longer applies. */
  onStart: () => void;
}): ReactElement {
  const styles = useStyles();
  const [url, setUrl] = useState(props.session?.baseUrl ?? props.defaultServerUrl);
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState(false);
  const { gateway } = props;
  useEffect(() => {
    void gateway.getSetting(KEYS.serverUrl).then((saved) => {
      if (saved !== null) setUrl(saved);
    });
  }, [gateway]);

  const connect = async (via: "token" | "entra") => {
    setBusy(true);
    props.onStart();
    try {
      let credential = token.trim();
      if (via === "entra") {
        if (props.getEntraToken === undefined) throw new ApiError("invalid", "Microsoft sign-in works inside Excel; here, use a token");
        try {
          credential = await props.getEntraToken();
        } catch (error) {
          const code = (error as { code?: unknown } | null)?.code;
          throw new ApiError("unauthorized", `Microsoft sign-in did not complete${typeof code === "number" || typeof code === "string" ? ` (Office error ${code})` : ""}: ${error instanceof Error ? error.message : "ask your administrator to set up single sign-on, or use a token"}`);
        }
      }
      const candidate = { baseUrl: url.trim(), token: credential };
      if (!/^https?:\/\/[^\s]+$/.test(candidate.baseUrl)) throw new ApiError("invalid", `"${candidate.baseUrl}" is not a server address such as https://localhost:3000`);
      if (candidate.token === "") throw new ApiError("invalid", "paste your OpenAR token (it starts with oar_), or sign in with Microsoft");
      const client = props.makeClient(candidate);
      await client.health();
      await client.verifyToken();
      await gateway.setSetting(KEYS.serverUrl, candidate.baseUrl);
      setToken("");
      props.onConnected(candidate, remember);
    } catch (error) {
      props.onError(error, "Could not connect");
    } finally {
      setBusy(false);
    }
  };

  if (props.session !== null) {
    return (
      <div className={styles.form}>
        <Text>Connected to <b>{props.session.baseUrl}</b>.</Text>
        <div className={styles.actions}>
          <Button onClick={props.onSignOut}>Sign out</Button>
        </div>
      </div>
    );
  }
  return (
    <form
      className={styles.form}
      onSubmit={(e) => {
        e.preventDefault();
        void connect("token");
      }}
    >
      <Field label="Server">
        <Input value={url} onChange={(_e, d) => { setUrl(d.value); }} data-testid="server-url" />
      </Field>
      <Field label="Token" hint="An OpenAR token from your administrator (openar token create). It is never saved in the workbook.">
        <Input type="password" value={token} onChange={(_e, d) => { setToken(d.value); }} data-testid="token" autoComplete="off" />
      </Field>
      <Checkbox checked={remember} onChange={(_e, d) => { setRemember(d.checked === true); }} label="Stay signed in until this pane closes" />
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={busy} data-testid="connect">{busy ? "Connecting…" : "Connect"}</Button>
        <Button
          disabled={busy || props.getEntraToken === undefined}
          onClick={() => void connect("entra")}
          title={props.getEntraToken === undefined ? "Microsoft sign-in works inside Excel when the service and manifest are set up for Entra ID" : "Sign in with your Microsoft work account"}
        >
          Sign in with Microsoft
        </Button>
      </div>
    </form>
  );
}
