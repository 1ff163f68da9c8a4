/**
 * Review: every pending change in the sheets, checked with the shared rules
 * before anything is sent; a dry run on the server; then one push. A push
 * that got no answer is kept in the workbook and offered again (same change
 * set, so it posts once); conflicts show the clerk's row beside the server's
 * values with "Keep mine" and "Take the server's". Nothing the clerk typed
 * is cleared here except by a committed push or "Take the server's".
 */
import {
  Badge,
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
} from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState, type ReactElement } from "react";
import type { OperationError } from "../../shared/changeset.js";
import { parseIsoDate } from "../../shared/dates.js";
import { cellToText } from "../excel/cells.js";
import type { CellValue, WorkbookGateway } from "../excel/gateway.js";
import { OPEN_ITEMS } from "../sheets/specs.js";
import { ApiError, type ApiClient } from "../sync/api-client.js";
import { parseRef, type BuiltChanges, type CellRef, type PendingRow } from "../sync/changes.js";
import {
  describeCurrent,
  freeze,
  loadConflicts,
  loadFrozen,
  PENDING_PUSH_KEY,
  resolveConflict,
  review,
  send,
  settle,
  showProblems,
  writePaymentTotals,
  type CellProblem,
  type FrozenPush,
  type StoredConflict,
} from "../sync/push.js";
import { refresh } from "../sync/refresh.js";
import type { PushAnswer } from "../sync/wire.js";
import { newId } from "./ids.js";
import type { Notice } from "./notice.js";
import { anchorOf, conflictView, describeRows, frozenSummary, placeOf, rowResults, sortProblems, type ConflictView, type RowLine, type RowResult } from "./review-model.js";
import { clearStaleErrors } from "./sheet-io.js";
import { useStyles } from "./styles.js";

export interface ReviewPaneProps {
  readonly gateway: WorkbookGateway;
  readonly client: ApiClient;
  readonly today: () => string;
  readonly onNotice: (n: Notice) => void;
  readonly onError: (e: unknown, what: string) => void;
  /** How many things wait for the clerk here (a push without an answer, conflicts): the tab shows it. */
  readonly onAttention?: (count: number) => void;
  /** The pane is showing: re-read the waiting push and conflicts (another tab may have changed them). */
  readonly active?: boolean;
}

interface Checked {
  readonly rows: readonly RowLine[];
  readonly problems: readonly CellProblem[];
  /** Server errors that name no cell. */
  readonly general: readonly string[];
}

interface Progress {
  readonly message: string;
  /** 0..1, or null while the length is unknown. */
  readonly value: number | null;
}

const transport = (error: unknown) => error instanceof ApiError && (error.kind === "unreachable" || error.kind === "server" || error.kind === "malformed");

export function ReviewPane(props: ReviewPaneProps): ReactElement {
  const styles = useStyles();
  const { gateway, client, today, onNotice, onError, onAttention } = props;
  const [frozen, setFrozen] = useState<FrozenPush | null>(null);
  const [neverArrived, setNeverArrived] = useState(false);
  const [conflicts, setConflicts] = useState<{ conflict: StoredConflict; view: ConflictView }[]>([]);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [results, setResults] = useState<RowResult[] | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const busy = progress !== null;
  const views = useRef(new Map<string, ConflictView>());

  const readState = useCallback(async () => {
    const pending = await loadFrozen(gateway);
    const stored = await loadConflicts(gateway);
    const rowsByTable = new Map<string, CellValue[][]>();
    for (const table of new Set(stored.map((c) => c.cell.table))) rowsByTable.set(table, await gateway.readRows(table).catch(() => []));
    // A conflict's "yours" side is read once, when it is first seen: a later refresh rewrites the row's server columns.
    const seen = views.current;
    const conflicts = stored.map((conflict) => {
      const key = `${conflict.entity}:${conflict.id}:${conflict.currentVersion}`;
      const view = seen.get(key) ?? conflictView(conflict, rowsByTable.get(conflict.cell.table)?.[conflict.cell.row]);
      seen.set(key, view);
      return { conflict, view };
    });
    return { pending, conflicts };
  }, [gateway]);
  const showState = useCallback(
    (state: Awaited<ReturnType<typeof readState>>) => {
      setFrozen(state.pending);
      if (state.pending === null) setNeverArrived(false);
      setConflicts(state.conflicts);
      onAttention?.((state.pending === null ? 0 : 1) + state.conflicts.length);
    },
    [onAttention],
  );
  const loadState = useCallback(async () => {
    showState(await readState());
  }, [readState, showState]);

  useEffect(() => {
    if (props.active === false) return;
    readState().then(showState, (error: unknown) => { onError(error, "Could not read the pending push"); });
  }, [readState, showState, onError, props.active]);

  const run = async (first: Progress, work: () => Promise<void>, what: string) => {
    onNotice(null);
    setProgress(first);
    try {
      await work();
    } catch (error) {
      onError(error, what);
    } finally {
      setProgress(null);
      await loadState().catch(() => undefined);
    }
  };

  const todayDate = () => parseIsoDate(today());

  /** Review, marks on the sheets, running totals; returns the built changes only when nothing is wrong. */
  const linesOf = async (rows: readonly PendingRow[]) => describeRows(rows, await gateway.readRows(OPEN_ITEMS.table));

  const checkSheets = async (step: (message: string) => void): Promise<{ built: BuiltChanges; lines: RowLine[] } | null> => {
    step("Checking your changes…");
    const result = await review({ gateway, client, today: todayDate(), newId });
    step("Marking the cells…");
    await showProblems(gateway, result.problems);
    await clearStaleErrors(gateway, result.problems);
    await writePaymentTotals(gateway, result.built);
    const lines = await linesOf(result.built.rows);
    setChecked({ rows: lines, problems: sortProblems(result.problems), general: [] });
    if (result.problems.length > 0) {
      const rows = new Set(result.problems.map((p) => `${p.cell.table}:${p.cell.row}`)).size;
      onNotice({ intent: "error", title: `${result.problems.length} problem(s) to fix`, text: `On ${rows} row(s), marked red in the sheets. Nothing was sent. Click a problem below to go to its cell.` });
      return null;
    }
    if (result.built.operations.length === 0) {
      onNotice({ intent: "info", title: "Nothing to push", text: "No pending changes in Open Items, Payments or Notes." });
      return null;
    }
    return { built: result.built, lines };
  };

  const check = () =>
    run({ message: "Checking your changes…", value: null }, async () => {
      setResults(null);
      const checkedNow = await checkSheets((message) => { setProgress({ message, value: null }); });
      if (checkedNow !== null) {
        const { built } = checkedNow;
        onNotice({ intent: "success", title: "Ready to push", text: `${built.operations.length} change(s) on ${built.rows.length} row(s) pass every check. Dry run asks the server; Push posts them.` });
      }
    }, "Check failed");

  const dryRun = () =>
    run({ message: "Checking your changes…", value: 1 / 3 }, async () => {
      setResults(null);
      const checkedNow = await checkSheets((message) => { setProgress({ message, value: 1 / 3 }); });
      if (checkedNow === null) return;
      const { built, lines } = checkedNow;
      setProgress({ message: `Asking the server about ${built.operations.length} change(s) (dry run)…`, value: 2 / 3 });
      // Not frozen: a dry run writes nothing anywhere, so it needs no id kept for a retry.
      const trial: FrozenPush = { changeSet: { id: newId(), operations: [...built.operations] }, rows: built.rows, fields: [], frozenAt: new Date().toISOString() };
      const answer = await send({ client, frozen: trial, dryRun: true });
      setProgress({ message: "Marking the cells…", value: 1 });
      await showDryRun(answer, built, lines);
    }, "Dry run failed");

  const showDryRun = async (answer: PushAnswer, built: BuiltChanges, lines: RowLine[]) => {
    if (answer.kind === "validated") {
      onNotice({ intent: "success", title: "The server would accept it", text: `All ${answer.operations} change(s) pass the server's checks. Nothing was saved: Push to post them.` });
      return;
    }
    const problems: CellProblem[] = [];
    const general: string[] = [];
    const place = (error: Pick<OperationError, "index" | "field" | "ref">): CellRef | null => {
      const cell = built.cellOf(error.index, error.field) ?? built.cellOf(error.index, "");
      if (cell !== null) return cell;
      const ref = parseRef(error.ref);
      return ref === null ? null : { ...ref, column: "status" };
    };
    if (answer.kind === "invalid") {
      for (const e of answer.errors) {
        const cell = place(e);
        if (cell === null) general.push(e.message);
        else problems.push({ cell, message: e.message });
      }
    } else if (answer.kind === "conflict") {
      for (const c of answer.conflicts) {
        const cell = place({ index: c.index, field: "", ref: c.ref });
        const message = `changed on the server since your pull (version ${c.expectedVersion} → ${c.currentVersion}; ${describeCurrent(c.current).replace(/^Server now: /, "now ")}): Refresh on the Pull tab, then check again`;
        if (cell === null) general.push(message);
        else problems.push({ cell, message });
      }
    } else {
      general.push(answer.kind === "mismatch" ? answer.message : "the server answered the dry run as if it were a push");
    }
    await showProblems(gateway, problems);
    setChecked({ rows: lines, problems: sortProblems(problems), general });
    onNotice({ intent: "error", title: "The server would refuse it", text: `${problems.length + general.length} problem(s), listed below. Nothing was saved.` });
  };

  /** A definitive answer: rows marked, results listed, and after a commit Open Items refreshed with the new balances. */
  const deliver = async (pushed: FrozenPush, lines: RowLine[], answer: PushAnswer, step: (p: Progress) => void) => {
    step({ message: "Marking the rows…", value: 0.8 });
    const outcome = await settle(gateway, pushed, answer);
    setResults(rowResults(lines, outcome));
    setChecked(outcome.problems.length === 0 ? null : { rows: lines, problems: sortProblems(outcome.problems), general: [] });
    if (outcome.kind === "committed") {
      step({ message: "Refreshing Open Items with the new balances…", value: 0.9 });
      try {
        await refresh({ gateway, client, today: todayDate() });
        onNotice({ intent: "success", title: outcome.message, text: "Open Items shows the new balances." });
      } catch (error) {
        onNotice({ intent: "warning", title: outcome.message, text: `Posted, but Open Items could not be refreshed (${error instanceof Error ? error.message : String(error)}): use Refresh on the Pull tab.` });
      }
    } else if (outcome.kind === "conflict") {
      onNotice({ intent: "warning", title: "Nothing was posted: changed on the server", text: `${outcome.conflicts.length} row(s) changed on the server since your pull. Keep yours or take the server's below, then push again.` });
    } else if (outcome.kind === "refused") {
      onNotice({ intent: "error", title: "Nothing was posted", text: `${outcome.message}. The rows are marked red; fix them and push again.` });
    } else {
      onNotice({ intent: "error", title: "Nothing was posted", text: outcome.message });
    }
  };

  const sendFrozen = async (pushed: FrozenPush, lines: RowLine[], step: (p: Progress) => void) => {
    step({ message: `Sending ${pushed.changeSet.operations.length} change(s)…`, value: 0.6 });
    let answer: PushAnswer;
    try {
      answer = await send({ client, frozen: pushed, dryRun: false });
    } catch (error) {
      if (!transport(error)) throw error;
      onNotice({ intent: "warning", title: "No answer from the server", text: `${error instanceof Error ? error.message : String(error)}. The push is kept: see below.` });
      return;
    }
    await deliver(pushed, lines, answer, step);
  };

  const push = () =>
    run({ message: "Checking your changes…", value: 0.1 }, async () => {
      setResults(null);
      const step = (p: Progress) => { setProgress(p); };
      const checkedNow = await checkSheets((message) => { step({ message, value: 0.2 }); });
      if (checkedNow === null) return;
      step({ message: "Keeping the push in the workbook (so a dropped connection cannot lose or double it)…", value: 0.4 });
      const pushed = await freeze(gateway, checkedNow.built, newId(), new Date().toISOString());
      await sendFrozen(pushed, checkedNow.lines, step);
    }, "Push failed");

  const retry = (pushed: FrozenPush) =>
    run({ message: "Sending the same push again…", value: 0.5 }, async () => {
      await sendFrozen(pushed, await linesOf(pushed.rows), (p) => { setProgress(p); });
    }, "Retry failed");

  const checkStatus = (pushed: FrozenPush) =>
    run({ message: "Asking the server whether the push arrived…", value: null }, async () => {
      const committed = await client.committedChangeSet(pushed.changeSet.id);
      if (committed === null) {
        setNeverArrived(true);
        onNotice({ intent: "info", title: "The push never arrived", text: "Nothing was posted. Choose Retry or Discard below." });
        return;
      }
      await deliver(pushed, await linesOf(pushed.rows), { kind: "committed", committed }, (p) => { setProgress(p); });
    }, "Check status failed");

  const discard = () =>
    run({ message: "Discarding the unsent push…", value: null }, async () => {
      await gateway.setSetting(PENDING_PUSH_KEY, "");
      setNeverArrived(false);
      onNotice({ intent: "info", title: "Push discarded", text: "It was never posted. Your rows are as you typed them: Check and Push again when ready." });
    }, "Discard failed");

  const resolve = (conflict: StoredConflict, choice: "mine" | "server") =>
    run({ message: choice === "mine" ? "Keeping your entry on the server's new version…" : "Taking the server's values…", value: 0.3 }, async () => {
      await resolveConflict(gateway, conflict, choice);
      setProgress({ message: "Refreshing Open Items…", value: 0.7 });
      await refresh({ gateway, client, today: todayDate() });
      onNotice(
        choice === "mine"
          ? { intent: "success", title: "Kept yours", text: "Your entry stays, now based on the server's version; Check and Push again to post it." }
          : { intent: "success", title: "Took the server's", text: "Your entry on that row was cleared; the row shows the server's values." },
      );
    }, "Resolving the conflict failed");

  const jump = (cell: CellRef) => {
    gateway.select(cell.table, cell.row, cell.column).catch((error: unknown) => { onError(error, "Could not go to the cell"); });
  };
  /** Open Items rows move when a refresh removes settled items: find the document's row now. */
  const jumpToLine = (line: RowLine) => {
    if (line.documentId === null) {
      jump(anchorOf(line));
      return;
    }
    const id = line.documentId;
    void (async () => {
      const rows = await gateway.readRows(OPEN_ITEMS.table);
      const idAt = OPEN_ITEMS.columns.findIndex((c) => c.key === "id");
      const row = rows.findIndex((r) => cellToText(r[idAt] ?? null) === id);
      if (row < 0) onNotice({ intent: "info", title: `${line.label} is no longer open`, text: "It was settled in full, so Open Items no longer lists it." });
      else await gateway.select(OPEN_ITEMS.table, row, "number");
    })().catch((error: unknown) => { onError(error, "Could not go to the row"); });
  };

  const problemRows = new Set((checked?.problems ?? []).map((p) => `${p.cell.table}:${p.cell.row}`));
  return (
    <div className={styles.form} data-testid="review-pane">

      {frozen !== null && (
        <MessageBar intent="warning" layout="multiline" data-testid="frozen-push">
          <MessageBarBody>
            <MessageBarTitle>{neverArrived ? "A push never reached the server" : "A push is waiting for an answer"}</MessageBarTitle>
            {neverArrived
              ? `${frozenSummary(frozen)}, sent ${frozen.frozenAt.slice(0, 16).replace("T", " ")} UTC: the server has no record of it. Your rows are kept. Retry sends it again, or Discard forgets it.`
              : `${frozenSummary(frozen)}, sent ${frozen.frozenAt.slice(0, 16).replace("T", " ")} UTC, got no answer — the connection may have dropped after the server posted it. Your rows are kept. Retry sends the very same push, so it posts once; Check status asks the server whether it arrived.`}
          </MessageBarBody>
          <MessageBarActions>
            <Button size="small" appearance="primary" disabled={busy} onClick={() => void retry(frozen)} data-testid="retry">Retry</Button>
            <Button size="small" disabled={busy} onClick={() => void checkStatus(frozen)} data-testid="check-status">Check status</Button>
            {neverArrived && <Button size="small" disabled={busy} onClick={() => void discard()} data-testid="discard">Discard</Button>}
          </MessageBarActions>
        </MessageBar>
      )}

      {conflicts.length > 0 && (
        <div className={styles.section}>
          <Text className={styles.sectionTitle}>Changed on the server ({conflicts.length})</Text>
          <Text className={styles.help}>Someone changed these after your pull, so nothing was posted. <b>Keep mine</b> re-bases your entry on the server&apos;s version (the next push checks it again); <b>Take the server&apos;s</b> clears your entry on that row.</Text>
          {conflicts.map(({ conflict, view }) => (
            <div key={`${conflict.entity}:${conflict.id}`} className={styles.conflictCard} data-testid="conflict" data-row={conflict.cell.row} data-table={conflict.cell.table}>
              <button type="button" className={styles.plainLink} style={{ padding: 0 }} onClick={() => { jump(view.where); }}>
                <span className={styles.where}>{view.title}</span>
                <span />
              </button>
              <div className={styles.figuresWide}>
                <span />
                <span className={styles.strong}>Your sheet</span>
                <span className={styles.strong}>Server now</span>
                {view.compare.map((c) => (
                  <Fragmented key={c.label} label={c.label} yours={c.yours} server={c.server} />
                ))}
              </div>
              {view.yours.length > 0 && (
                <Text className={styles.help} data-testid="conflict-yours">Your entry: {view.yours.map((y) => `${y.label} ${y.value}`).join(" · ")}</Text>
              )}
              <div className={styles.actions}>
                <Button size="small" appearance="primary" disabled={busy} onClick={() => void resolve(conflict, "mine")} data-testid="keep-mine">Keep mine</Button>
                <Button size="small" disabled={busy} onClick={() => void resolve(conflict, "server")} data-testid="take-server">Take the server&apos;s</Button>
              </div>
            </div>
          ))}
        </div>
      )}

      <Text className={styles.help}>
        <b>Check</b> finds every change you made in the sheets and tests it as the server will. <b>Dry run</b> asks the server without saving. <b>Push</b> posts everything as one change set.
      </Text>
      <div className={styles.actions}>
        <Button disabled={busy} onClick={() => void check()} data-testid="check">Check</Button>
        <Button disabled={busy || frozen !== null} onClick={() => void dryRun()} data-testid="dry-run" title={frozen === null ? "Ask the server without saving" : "Settle the waiting push first"}>Dry run</Button>
        <Button appearance="primary" disabled={busy || frozen !== null} onClick={() => void push()} data-testid="push" title={frozen === null ? "Post every pending change as one change set" : "Settle the waiting push first"}>Push</Button>
      </div>
      {busy && (
        <Field validationMessage={progress.message} validationState="none">
          {progress.value === null ? <ProgressBar data-testid="progress" /> : <ProgressBar value={progress.value} data-testid="progress" />}
        </Field>
      )}

      {checked !== null && (checked.problems.length > 0 || checked.general.length > 0) && (
        <div className={styles.section}>
          <Text className={styles.sectionTitle}>Problems ({checked.problems.length + checked.general.length}) — click one to go to its cell</Text>
          <ul className={styles.list}>
            {checked.problems.map((p, i) => {
              const at = placeOf(p.cell);
              return (
                <li key={i}>
                  <button type="button" className={styles.link} onClick={() => { jump(p.cell); }} data-testid="problem" data-problem-cell={`${p.cell.table}:${p.cell.row}:${p.cell.column}`}>
                    <span className={styles.where}>{at.sheet} {at.address}{at.header === "" ? "" : ` · ${at.header}`}</span>
                    <br />
                    {p.message}
                  </button>
                </li>
              );
            })}
            {checked.general.map((m, i) => (
              <li key={`g${i}`}>
                <div className={styles.link} data-testid="problem">{m}</div>
              </li>
            ))}
          </ul>
        </div>
      )}

      {checked !== null && checked.rows.length > 0 && results === null && (
        <div className={styles.section}>
          <Text className={styles.sectionTitle}>Pending changes ({checked.rows.length} row{checked.rows.length === 1 ? "" : "s"})</Text>
          <ul className={styles.list}>
            {checked.rows.map((r) => (
              <li key={r.ref}>
                <button type="button" className={styles.plainLink} onClick={() => { jumpToLine(r); }} data-testid="pending-row" data-ref={r.ref}>
                  <span className={styles.where}>
                    {problemRows.has(`${r.table}:${r.row}`) && <Badge size="tiny" color="danger" shape="circular" aria-label="has a problem" style={{ marginRight: 4 }} />}
                    {r.label}
                  </span>
                  <span>{r.text}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {results !== null && (
        <div className={styles.section}>
          <Text className={styles.sectionTitle}>Last push</Text>
          <ul className={styles.list}>
            {results.map((r) => (
              <li key={`${r.table}:${r.row}`} className={styles.resultLine} data-testid="row-result" data-status={r.status} data-ref={`${r.table}:${r.row}`}>
                <Badge size="small" appearance={r.status === "Not posted" ? "outline" : "filled"} color={r.status === "Posted" ? "success" : r.status === "Error" ? "danger" : r.status === "Conflict" ? "warning" : "informative"}>
                  {r.status}
                </Badge>
                <button type="button" className={styles.plainLink} style={{ gridTemplateColumns: "minmax(0, 1fr)", padding: 0 }} onClick={() => { jumpToLine(r); }}>
                  <span>
                    <span className={styles.where}>{r.label}</span> {r.text}
                    {r.message === "" ? "" : ` — ${r.message}`}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      <Text className={styles.help}>
        Notes and promises: type them on the <b>Notes</b> sheet (customer, document if any, type call / email / letter / note / promise, the note; a promise needs an amount and a date). On Open Items, <b>New note</b> and <b>Dispute</b> work on that invoice. All of them are pushed here.
      </Text>
    </div>
  );
}

function Fragmented(props: { label: string; yours: string; server: string }): ReactElement {
  const styles = useStyles();
  const differs = props.yours !== props.server && props.yours !== "—";
  return (
    <>
      <span className={styles.muted}>{props.label}</span>
      <span className={styles.amount} style={{ textAlign: "left" }}>{props.yours}</span>
      <span className={differs ? styles.strong : undefined} style={{ fontVariantNumeric: "tabular-nums" }}>{props.server}</span>
    </>
  );
}
