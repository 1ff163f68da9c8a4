/**
 * The task pane: Connect, Pull, Payments, Reconcile, Review, Settings. Components
 * receive the workbook gateway and an API-client factory as props; none of
 * them touches Office.js.
 *
 * Payments, Reconcile and Review stay mounted once opened (hidden when
 * another tab is chosen), so a push, an import or a suggestion that is under
 * way keeps its progress and its results (the imported statements and their
 * bank reconciliation) when the clerk glances at another tab.
 */
import {
  Badge,
  CounterBadge,
  FluentProvider,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Tab,
  TabList,
  Text,
  webLightTheme,
} from "@fluentui/react-components";
import { useCallback, useEffect, useMemo, useState, type ReactElement } from "react";
import type { WorkbookGateway } from "../excel/gateway.js";
import { ApiClient, ApiError } from "../sync/api-client.js";
import { loadConflicts, loadFrozen } from "../sync/push.js";
import { ConnectPane } from "./connect-pane.js";
import type { Notice } from "./notice.js";
import { PaymentsPane } from "./payments-pane.js";
import { PullPane } from "./pull-pane.js";
import { ReconcilePane } from "./reconcile-pane.js";
import { ReviewPane } from "./review-pane.js";
import { clearSession, loadSession, localToday, saveSession, type Session } from "./session.js";
import { SettingsPane } from "./settings-pane.js";
import { useStyles } from "./styles.js";

export interface AppProps {
  readonly gateway: WorkbookGateway;
  /** Where the service is by default: the origin the pane was served from. */
  readonly defaultServerUrl: string;
  readonly makeClient?: (session: Session) => ApiClient;
  readonly today?: () => string;
  /** Office single sign-on; absent in the browser preview. */
  readonly getEntraToken?: (() => Promise<string>) | undefined;
}

export type { Notice } from "./notice.js";

type TabName = "connect" | "pull" | "payments" | "reconcile" | "review" | "settings";

export function App(props: AppProps): ReactElement {
  const styles = useStyles();
  const { gateway } = props;
  const makeClient = props.makeClient ?? ((s: Session) => new ApiClient(s));
  const today = props.today ?? localToday;
  const [tab, setTab] = useState<TabName>("connect");
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<Notice>(null);
  // Panes kept mounted after their first visit (per session).
  const [opened, setOpened] = useState<ReadonlySet<TabName>>(new Set());
  const [attention, setAttention] = useState(0);

  const onError = useCallback((error: unknown, what: string) => {
    if (error instanceof ApiError && error.kind === "unauthorized") {
      setSession(null);
      clearSession();
      setTab("connect");
      setOpened(new Set());
    }
    setNotice({ intent: error instanceof ApiError && error.kind === "cancelled" ? "warning" : "error", title: what, text: error instanceof Error ? error.message : String(error) });
  }, []);

  // One client per session: the panes' effects depend on it.
  const client = useMemo(() => (session === null ? null : (props.makeClient ?? ((s: Session) => new ApiClient(s)))(session)), [session, props.makeClient]);

  // A push left without an answer, or conflicts, from an earlier session: the Review tab says so before it is opened.
  useEffect(() => {
    void Promise.all([loadFrozen(gateway), loadConflicts(gateway)]).then(
      ([frozen, conflicts]) => { setAttention((frozen === null ? 0 : 1) + conflicts.length); },
      () => undefined,
    );
  }, [gateway]);

  const choose = (next: TabName) => {
    setTab(next);
    if (next === "payments" || next === "reconcile" || next === "review") setOpened((o) => (o.has(next) ? o : new Set([...o, next])));
  };

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
        <TabList className={styles.tabs} selectedValue={tab} onTabSelect={(_e, d) => { choose(d.value as TabName); }} size="small">
          <Tab value="connect">Connect</Tab>
          <Tab value="pull" disabled={session === null}>Pull</Tab>
          <Tab value="payments" disabled={session === null} data-testid="payments-tab">Payments</Tab>
          <Tab value="reconcile" disabled={session === null} data-testid="reconcile-tab">Reconcile</Tab>
          <Tab value="review" disabled={session === null} data-testid="review-tab">
            {/* A dot, not a count: the tabs must fit a 320-pixel pane. */}
            Review{attention > 0 && <CounterBadge dot color="danger" size="small" style={{ marginLeft: 3, verticalAlign: "super" }} aria-label={`${attention} waiting for you`} data-testid="review-attention" />}
          </Tab>
          <Tab value="settings">Settings</Tab>
        </TabList>
        {notice !== null && (
          <MessageBar intent={notice.intent} data-testid="notice" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{notice.title}</MessageBarTitle>
              {notice.text}
            </MessageBarBody>
          </MessageBar>
        )}
        {tab === "connect" && (
          <ConnectPane
            gateway={gateway}
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
              setOpened(new Set());
              setNotice({ intent: "info", title: "Signed out", text: "The token was forgotten; the sheets are unchanged." });
            }}
            onError={onError}
            onStart={() => { setNotice(null); }}
          />
        )}
        {tab === "pull" && session !== null && (
          <PullPane gateway={gateway} client={makeClient(session)} today={today} onNotice={setNotice} onError={onError} />
        )}
        {client !== null && opened.has("payments") && (
          <div hidden={tab !== "payments"}>
            <PaymentsPane gateway={gateway} client={client} today={today} onNotice={setNotice} onError={onError} active={tab === "payments"} />
          </div>
        )}
        {client !== null && opened.has("reconcile") && (
          <div hidden={tab !== "reconcile"}>
            <ReconcilePane gateway={gateway} client={client} today={today} onNotice={setNotice} onError={onError} active={tab === "reconcile"} />
          </div>
        )}
        {client !== null && opened.has("review") && (
          <div hidden={tab !== "review"}>
            <ReviewPane gateway={gateway} client={client} today={today} onNotice={setNotice} onError={onError} onAttention={setAttention} active={tab === "review"} />
          </div>
        )}
        {tab === "settings" && <SettingsPane gateway={gateway} />}
      </div>
    </FluentProvider>
  );
}
