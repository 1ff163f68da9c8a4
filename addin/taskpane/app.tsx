/**
 * The task pane: Connect, Pull, Settings (the Payments and Review panes join
 * them in the next issue). Components receive the workbook gateway and an
 * API-client factory as props; none of them touches Office.js.
 */
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Field,
  FluentProvider,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  ProgressBar,
  Tab,
  TabList,
  Text,
  tokens,
  webLightTheme,
} from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState, type ReactElement } from "react";
import { parseAgingEdges } from "../../shared/aging.js";
import { isIsoDate } from "../../shared/dates.js";
import type { WorkbookGateway } from "../excel/gateway.js";
import { ApiClient, ApiError } from "../sync/api-client.js";
import { pull, type Progress } from "../sync/pull.js";
import { refresh } from "../sync/refresh.js";
import { KEYS, loadLastPull, type SavedPull } from "../sync/workbook-state.js";
import { clearSession, loadSession, localToday, saveSession, type Session } from "./session.js";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL, minWidth: "280px", boxSizing: "border-box" },
  header: { display: "flex", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalS },
  brand: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  logo: { width: "28px", height: "28px", borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorBrandBackground, color: tokens.colorNeutralForegroundOnBrand, display: "flex", alignItems: "center", justifyContent: "center", fontWeight: tokens.fontWeightBold, fontSize: tokens.fontSizeBase200 },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "end", flexWrap: "wrap" },
  grow: { flexGrow: 1, minWidth: "120px" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

export interface AppProps {
  readonly gateway: WorkbookGateway;
  /** Where the service is by default: the origin the pane was served from. */
  readonly defaultServerUrl: string;
  readonly makeClient?: (session: Session) => ApiClient;
  readonly today?: () => string;
  /** Office single sign-on; absent in the browser preview. */
  readonly getEntraToken?: (() => Promise<string>) | undefined;
}

type Notice = { intent: "success" | "error" | "info" | "warning"; title: string; text: string } | null;

export function App(props: AppProps): ReactElement {
  const styles = useStyles();
  const makeClient = props.makeClient ?? ((s: Session) => new ApiClient(s));
  const today = props.today ?? localToday;
  const [tab, setTab] = useState<"connect" | "pull" | "settings">("connect");
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<Notice>(null);

  const onError = useCallback((error: unknown, what: string) => {
    if (error instanceof ApiError && error.kind === "unauthorized") {
      setSession(null);
      clearSession();
      setTab("connect");
    }
    setNotice({ intent: error instanceof ApiError && error.kind === "cancelled" ? "warning" : "error", title: what, text: error instanceof Error ? error.message : String(error) });
  }, []);

  return (
    <FluentProvider theme={webLightTheme}>
      <div className={styles.root} data-testid="taskpane">
        <div className={styles.header}>
          <div className={styles.brand}>
            <div className={styles.logo} aria-hidden>AR</div>
            <Text weight="semibold" size={400}>OpenAR</Text>
          </div>
          {session === null ? <Badge appearance="outline" color="informative">Not connected</Badge> : <Badge appearance="filled" color="success" data-testid="connected-badge">Connected</Badge>}
        </div>
        <TabList selectedValue={tab} onTabSelect={(_e, d) => { setTab(d.value as typeof tab); }} size="small">
          <Tab value="connect">Connect</Tab>
          <Tab value="pull" disabled={session === null}>Pull</Tab>
          <Tab value="settings">Settings</Tab>
        </TabList>
        {notice !== null && (
          <MessageBar intent={notice.intent} data-testid="notice">
            <MessageBarBody>
              <MessageBarTitle>{notice.title}</MessageBarTitle>
              {notice.text}
            </MessageBarBody>
          </MessageBar>
        )}
        {tab === "connect" && (
          <ConnectPane
            gateway={props.gateway}
            defaultServerUrl={props.defaultServerUrl}
            makeClient={makeClient}
            getEntraToken={props.getEntraToken}
            session={session}
            onConnected={(s, remember) => {
              setSession(s);
              saveSession(s, remember);
              setNotice({ intent: "success", title: "Connected", text: `Signed in to ${s.baseUrl}.` });
              setTab("pull");
            }}
            onSignOut={() => {
              setSession(null);
              clearSession();
              setNotice({ intent: "info", title: "Signed out", text: "The token was forgotten; the sheets are unchanged." });
            }}
            onError={onError}
            onStart={() => { setNotice(null); }}
          />
        )}
        {tab === "pull" && session !== null && (
          <PullPane gateway={props.gateway} client={makeClient(session)} today={today} onNotice={setNotice} onError={onError} />
        )}
        {tab === "settings" && <SettingsPane gateway={props.gateway} />}
      </div>
    </FluentProvider>
  );
}

function ConnectPane(props: {
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

function PullPane(props: {
  gateway: WorkbookGateway;
  client: ApiClient;
  today: () => string;
  onNotice: (n: Notice) => void;
  onError: (e: unknown, what: string) => void;
}): ReactElement {
  const styles = useStyles();
  const [asOfToday, setAsOfToday] = useState(true);
  const [asOf, setAsOf] = useState(props.today());
  const [basis, setBasis] = useState<"due" | "document">("due");
  const [buckets, setBuckets] = useState("30,60,90,120");
  const [customerId, setCustomerId] = useState("");
  const [collector, setCollector] = useState("");
  const [currency, setCurrency] = useState("");
  const [progress, setProgress] = useState<Progress | null>(null);
  const [hasPulled, setHasPulled] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const { gateway } = props;

  useEffect(() => {
    void loadLastPull(gateway).then((saved) => {
      if (saved === null) return;
      setHasPulled(true);
      setAsOfToday(saved.asOfMode === "today");
      if (saved.asOfMode === "fixed") setAsOf(saved.asOf);
      setBasis(saved.basis);
      setBuckets(saved.buckets.join(","));
      setCustomerId(saved.customerId ?? "");
      setCollector(saved.collector ?? "");
      setCurrency(saved.currency ?? "");
    });
  }, [gateway]);

  const edgesError = (() => {
    try {
      parseAgingEdges(buckets);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : "invalid buckets";
    }
  })();
  const dateError = !asOfToday && !isIsoDate(asOf) ? "a real date, YYYY-MM-DD" : null;
  const currencyError = currency !== "" && !/^[A-Z]{3}$/.test(currency) ? "three capital letters, e.g. USD" : null;

  const run = async (kind: "pull" | "refresh") => {
    const controller = new AbortController();
    abort.current = controller;
    // The last run's message would read as this run's result while it works.
    props.onNotice(null);
    setProgress({ phase: "download", done: 0, total: null, message: kind === "pull" ? "Starting…" : "Asking what changed…" });
    try {
      if (kind === "pull") {
        const params: SavedPull = {
          asOf: asOfToday ? props.today() : asOf,
          asOfMode: asOfToday ? "today" : "fixed",
          basis,
          buckets: [...parseAgingEdges(buckets)],
          ...(customerId.trim() === "" ? {} : { customerId: customerId.trim() }),
          ...(collector.trim() === "" ? {} : { collector: collector.trim() }),
          ...(currency === "" ? {} : { currency }),
        };
        const summary = await pull({ gateway, client: props.client, params, onProgress: setProgress, signal: controller.signal });
        setHasPulled(true);
        const kept = summary.keptEdits > 0 ? ` Kept ${summary.keptEdits} unpushed edit(s)${summary.clashes + summary.gone > 0 ? `; ${summary.clashes + summary.gone} flagged` : ""}.` : "";
        props.onNotice({ intent: "success", title: "Pulled", text: `${summary.items.toLocaleString("en-US")} open items and ${summary.customers.toLocaleString("en-US")} aging rows as of ${params.asOf}.${kept}` });
      } else {
        const summary = await refresh({ gateway, client: props.client, today: props.today() as never, signal: controller.signal });
        const flagged = summary.clashes + summary.keptGone;
        props.onNotice({
          intent: flagged > 0 ? "warning" : "success",
          title: "Refreshed",
          text: `${summary.changes} change(s): ${summary.updated} updated, ${summary.added} added, ${summary.removed} removed.${flagged > 0 ? ` ${flagged} row(s) with your unpushed edits changed on the server and are flagged.` : ""}`,
        });
      }
    } catch (error) {
      // A pull the clerk stopped did not fail: say what happened.
      const outcome = error instanceof ApiError && error.kind === "cancelled" ? "cancelled" : "failed";
      props.onError(error, `${kind === "pull" ? "Pull" : "Refresh"} ${outcome}`);
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  const busy = progress !== null;
  return (
    <div className={styles.form}>
      <div className={styles.row}>
        <Field label="As of" className={styles.grow} validationMessage={dateError} validationState={dateError === null ? "none" : "error"}>
          <Input type="date" value={asOfToday ? props.today() : asOf} disabled={asOfToday} onChange={(_e, d) => { setAsOf(d.value); }} data-testid="as-of" />
        </Field>
        <Checkbox checked={asOfToday} onChange={(_e, d) => { setAsOfToday(d.checked === true); }} label="Today" />
      </div>
      <div className={styles.row}>
        <Field label="Basis" className={styles.grow}>
          <Dropdown value={basis === "due" ? "Days past due" : "Days since document"} selectedOptions={[basis]} onOptionSelect={(_e, d) => { setBasis((d.optionValue as "due" | "document" | undefined) ?? "due"); }}>
            <Option value="due">Days past due</Option>
            <Option value="document">Days since document</Option>
          </Dropdown>
        </Field>
        <Field label="Buckets (days)" className={styles.grow} validationMessage={edgesError} validationState={edgesError === null ? "none" : "error"}>
          <Input value={buckets} onChange={(_e, d) => { setBuckets(d.value); }} data-testid="buckets" />
        </Field>
      </div>
      <Text size={200} className={styles.muted}>Filters (optional)</Text>
      <div className={styles.row}>
        <Field label="Customer id" className={styles.grow}>
          <Input value={customerId} onChange={(_e, d) => { setCustomerId(d.value); }} />
        </Field>
        <Field label="Collector" className={styles.grow}>
          <Input value={collector} onChange={(_e, d) => { setCollector(d.value); }} />
        </Field>
        <Field label="Currency" className={styles.grow} validationMessage={currencyError} validationState={currencyError === null ? "none" : "error"}>
          <Input value={currency} onChange={(_e, d) => { setCurrency(d.value.toUpperCase()); }} maxLength={3} />
        </Field>
      </div>
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy || edgesError !== null || dateError !== null || currencyError !== null} onClick={() => void run("pull")} data-testid="pull">Pull</Button>
        <Button disabled={busy || !hasPulled} onClick={() => void run("refresh")} data-testid="refresh">Refresh</Button>
        {busy && progress.phase === "download" && <Button onClick={() => abort.current?.abort()} data-testid="cancel">Cancel</Button>}
      </div>
      {busy && (
        <Field validationMessage={progress.message} validationState="none">
          {progress.total === null || progress.total === 0 ? <ProgressBar data-testid="progress" /> : <ProgressBar value={progress.done / progress.total} data-testid="progress" />}
        </Field>
      )}
    </div>
  );
}

function SettingsPane(props: { gateway: WorkbookGateway }): ReactElement {
  const styles = useStyles();
  const [saved, setSaved] = useState<SavedPull | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const { gateway } = props;
  useEffect(() => {
    void loadLastPull(gateway).then(setSaved);
    void gateway.getSetting(KEYS.serverUrl).then(setUrl);
  }, [gateway]);
  return (
    <div className={styles.form}>
      <Text weight="semibold">This workbook</Text>
      <Text>Server: {url ?? "not set"}</Text>
      <Text>Last pull: {saved === null ? "none" : `as of ${saved.asOfMode === "today" ? "today" : saved.asOf}, ${saved.basis === "due" ? "days past due" : "days since document"}, buckets ${saved.buckets.join(", ")}`}</Text>
      <Text size={200} className={styles.muted}>
        Settings are kept in the workbook. Your token is not: it stays in this pane's memory (and this browser session if you chose to stay signed in).
      </Text>
    </div>
  );
}
