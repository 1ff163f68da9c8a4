/**
 * Payments: the receipts the clerk typed on the Payments sheet and the
 * unapplied cash and credit memos on Open Items, each with what it has
 * applied so far; "Suggest allocations" spreads what a receipt has left over
 * its customer's Open Items with the shared cash-application rules and
 * writes the result into the Apply / Discount / Write-off / From cells, where
 * the clerk can still change anything before pushing.
 */
import {
  Button,
  Dropdown,
  Field,
  Input,
  mergeClasses,
  Option,
  ProgressBar,
  Radio,
  RadioGroup,
  Text,
} from "@fluentui/react-components";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from "react";
import { SHORT_PAY_REASON } from "../../shared/cash-application.js";
import type { DisputeReason } from "../../shared/changeset.js";
import { parseIsoDate } from "../../shared/dates.js";
import type { Money } from "../../shared/money.js";
import type { WorkbookGateway } from "../excel/gateway.js";
import { NOTES, OPEN_ITEMS, PAYMENTS } from "../sheets/specs.js";
import type { ApiClient } from "../sync/api-client.js";
import { review, writePaymentTotals } from "../sync/push.js";
import { newId } from "./ids.js";
import {
  CHOSEN_SHORT_PAY_REASON,
  clearedRows,
  DISPUTE_CHOICES,
  isBlankRow,
  listSources,
  planSuggestion,
  prepareApplication,
  shortPayRow,
  SHORT_PAY_TOLERANCE,
  sourceTotals,
  type PaymentSource,
  type ShortPay,
  type ShortPayChoice,
} from "./payments.js";
import { sheetRow } from "./review-model.js";
import { BLANK_ROWS, ensureEntrySheets, padWithBlankRows, readPaymentSheets, writeRowBlocks, type SheetsNow } from "./sheet-io.js";
import { useStyles } from "./styles.js";
import type { Notice } from "./notice.js";

/** Unapplied cash and credit memos listed before the clerk narrows the list with the filter. */
const MAX_LISTED_CREDITS = 12;

export interface PaymentsPaneProps {
  readonly gateway: WorkbookGateway;
  readonly client: ApiClient;
  readonly today: () => string;
  readonly onNotice: (n: Notice) => void;
  readonly onError: (e: unknown, what: string) => void;
  /** The pane is showing: the sheets may have changed while it was hidden (a push posts receipts). */
  readonly active?: boolean;
}

interface Suggested {
  readonly sourceKey: string;
  readonly reasons: readonly string[];
  readonly shortPays: readonly ShortPay[];
  /** Problems Check found across the workbook after the suggestion (shown in Review). */
  readonly problems: number | null;
}

const money = (m: Money) => m.format();

export function PaymentsPane(props: PaymentsPaneProps): ReactElement {
  const styles = useStyles();
  const { gateway, client, today, onNotice, onError } = props;
  const [sheets, setSheets] = useState<SheetsNow | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [progress, setProgress] = useState<string | null>(null);
  const [suggested, setSuggested] = useState<Suggested | null>(null);
  const [showCredits, setShowCredits] = useState(false);
  const card = useRef<HTMLDivElement | null>(null);

  const reload = useCallback(async () => {
    setSheets(await readPaymentSheets(gateway));
  }, [gateway]);

  // Payments and Notes exist, with blank rows to type into; the lists follow the clerk's typing.
  useEffect(() => {
    // Mutable on purpose: the async work below must see that the pane went away.
    const mounted = { live: true };
    const alive = () => mounted.live;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe: (() => Promise<void>)[] = [];
    const later = () => {
      clearTimeout(timer);
      // Typing fires an event per cell: read the sheets once the clerk pauses.
      timer = setTimeout(() => {
        if (!alive()) return;
        void (async () => {
          // A receipt typed on the last blank row: keep blank rows below it.
          for (const spec of [PAYMENTS, NOTES]) await padWithBlankRows(gateway, spec, BLANK_ROWS);
          const now = await readPaymentSheets(gateway);
          if (alive()) setSheets(now);
        })().catch((error: unknown) => {
          if (alive()) onError(error, "Could not read the sheets");
        });
      }, 250);
    };
    void (async () => {
      try {
        await ensureEntrySheets(gateway);
        const first = await readPaymentSheets(gateway);
        if (!alive()) return;
        setSheets(first);
        for (const table of [PAYMENTS.table, NOTES.table, OPEN_ITEMS.table]) unsubscribe.push(await gateway.onChange(table, later));
        if (!alive()) for (const off of unsubscribe.splice(0)) await off();
      } catch (error) {
        if (alive()) onError(error, "Could not open the Payments sheet");
      }
    })();
    return () => {
      mounted.live = false;
      clearTimeout(timer);
      for (const off of unsubscribe.splice(0)) void off();
    };
  }, [gateway, onError]);

  useEffect(() => {
    if (props.active !== true) return;
    readPaymentSheets(gateway).then(setSheets, (error: unknown) => { onError(error, "Could not read the sheets"); });
  }, [props.active, gateway, onError]);

  // The chosen receipt's card may sit above a long list: bring it into sight.
  useEffect(() => {
    if (selected !== null) card.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [selected]);

  const sources = useMemo(() => (sheets === null ? [] : listSources(sheets)), [sheets]);
  const source = sources.find((s) => s.key === selected) ?? null;
  const totals = source === null || sheets === null ? null : sourceTotals(source, sheets.openItems);
  const busy = progress !== null;

  const run = async (what: string, work: () => Promise<void>) => {
    onNotice(null);
    setProgress(what);
    try {
      await work();
    } catch (error) {
      onError(error, `${what.replace(/…$/, "")} failed`);
    } finally {
      setProgress(null);
    }
  };

  const suggest = (chosen: PaymentSource) =>
    run("Suggesting allocations…", async () => {
      const now = await readPaymentSheets(gateway);
      const fresh = listSources(now).find((s) => s.key === chosen.key && s.reference === chosen.reference);
      if (fresh === undefined) {
        setSheets(now);
        onNotice({ intent: "warning", title: "Receipt moved", text: "The sheet changed under the list; pick the receipt again." });
        return;
      }
      const todayDate = parseIsoDate(today());
      const prepared = prepareApplication(fresh, now.openItems, { today: todayDate });
      if ("cannot" in prepared) {
        onNotice({ intent: "warning", title: "Nothing suggested", text: prepared.cannot });
        return;
      }
      const plan = planSuggestion(prepared, fresh, now.openItems);
      if (plan.writes.size === 0) {
        setSuggested({ sourceKey: fresh.key, reasons: [...plan.suggestion.reasons, ...plan.skipped], shortPays: [], problems: null });
        onNotice({ intent: "info", title: "Nothing to apply", text: plan.suggestion.reasons[0] ?? "no open items fit" });
        return;
      }
      setProgress("Writing Apply, Discount, Write-off and From on Open Items…");
      await writeRowBlocks(gateway, OPEN_ITEMS.table, plan.writes);
      const first = Math.min(...plan.writes.keys());
      // "From" is the rightmost column written: selecting it brings Apply to From into sight.
      await gateway.select(OPEN_ITEMS.table, first, "from");
      // The Payments sheet's running totals come from the change set Check builds.
      setProgress("Updating the running totals…");
      let problems: number | null = null;
      try {
        const checked = await review({ gateway, client, today: todayDate, newId });
        await writePaymentTotals(gateway, checked.built);
        problems = checked.problems.length;
      } catch (error) {
        onError(error, "Suggested, but the running totals were not updated");
      }
      setSheets(await readPaymentSheets(gateway));
      setSuggested({ sourceKey: fresh.key, reasons: [...plan.suggestion.reasons, ...plan.skipped], shortPays: plan.shortPays, problems });
      onNotice({
        intent: "success",
        title: "Allocations suggested",
        text: `${plan.writes.size} Open Items row(s) now apply ${fresh.reference}. Review them in the yellow columns, then Check and Push on the Review tab.`,
      });
    });

  const clear = (chosen: PaymentSource) =>
    run("Clearing allocations…", async () => {
      const now = await readPaymentSheets(gateway);
      const rows = clearedRows(chosen, now.openItems);
      await writeRowBlocks(gateway, OPEN_ITEMS.table, rows);
      setSuggested(null);
      setSheets(await readPaymentSheets(gateway));
      onNotice({ intent: "info", title: "Allocations cleared", text: `${rows.size} Open Items row(s) no longer apply ${chosen.reference}.` });
    });

  const choose = (shortPay: ShortPay, choice: ShortPayChoice) =>
    run("Writing your choice…", async () => {
      const now = await readPaymentSheets(gateway);
      const row = now.openItems[shortPay.row];
      if (row === undefined) throw new Error(`Open Items row ${sheetRow(shortPay.row)} is gone; suggest again`);
      await writeRowBlocks(gateway, OPEN_ITEMS.table, new Map([[shortPay.row, shortPayRow(row, shortPay, choice)]]));
      await gateway.select(OPEN_ITEMS.table, shortPay.row, choice.kind === "dispute" ? "dispute" : "writeOff");
      setSuggested((s) => (s === null ? s : { ...s, shortPays: s.shortPays.map((p) => (p.documentId === shortPay.documentId ? { ...p, chosen: choice.kind } : p)) }));
      setSheets(await readPaymentSheets(gateway));
    });

  const goToPayments = () =>
    run("Opening the Payments sheet…", async () => {
      await ensureEntrySheets(gateway);
      const rows = await gateway.readRows(PAYMENTS.table);
      const blank = isBlankRow(PAYMENTS);
      const at = rows.findIndex((r) => blank(r));
      await gateway.select(PAYMENTS.table, at < 0 ? Math.max(0, rows.length - 1) : at, "date");
      await reload();
    });

  const needle = filter.trim().toLowerCase();
  const matches = (s: PaymentSource) => needle === "" || [s.reference, s.customerNumber, s.customerName].some((t) => t.toLowerCase().includes(needle));
  const receipts = sources.filter((s) => s.kind === "newReceipt");
  const allCredits = sources.filter((s) => s.kind !== "newReceipt");
  const credits = allCredits.filter(matches);
  const progressBar = busy && (
    <Field validationMessage={progress} validationState="none">
      <ProgressBar data-testid="progress" />
    </Field>
  );
  const fullyApplied = totals !== null && !totals.unapplied.isPositive();

  return (
    <div className={styles.form} data-testid="payments-pane">
      <Text className={styles.help}>
        Type each receipt on a blank row of the <b>Payments</b> sheet — date, customer number, amount, method (check, ACH, wire, card), reference — then pick it below.
      </Text>
      <div className={styles.actions}>
        <Button size="small" onClick={() => void goToPayments()} disabled={busy} data-testid="go-payments">Go to Payments sheet</Button>
        <Button size="small" appearance="subtle" onClick={() => void run("Reading the sheets…", reload)} disabled={busy} data-testid="reload-payments">Reload</Button>
      </div>
      {source === null && progressBar}

      <div className={styles.section}>
        <Text className={styles.sectionTitle}>Receipts to apply ({receipts.length})</Text>
        {receipts.length === 0 ? (
          <Text className={styles.help}>{sheets === null ? "Reading the Payments sheet…" : "None yet: type one on the Payments sheet."}</Text>
        ) : (
          <ul className={styles.list} data-testid="receipts">
            {receipts.map((s) => <SourceLine key={s.key} source={s} sheets={sheets} selected={s.key === selected} onSelect={setSelected} />)}
          </ul>
        )}
      </div>

      {source !== null && (
        <div className={styles.card} data-testid="selected-source" ref={card}>
          <Text weight="semibold">
            {source.reference || "(no reference)"} · {source.customerNumber || "?"} {source.customerName}
          </Text>
          {totals !== null && (
            <div className={styles.figures} data-testid="totals">
              <span>Amount</span><span className={styles.amount} data-testid="total-amount">{money(totals.amount)}</span>
              <span>Applied</span><span className={styles.amount} data-testid="total-applied">{money(totals.applied)}</span>
              <span>Discount</span><span className={styles.amount} data-testid="total-discount">{money(totals.discount)}</span>
              <span>Write-off</span><span className={styles.amount} data-testid="total-write-off">{money(totals.writeOff)}</span>
              <span className={styles.strong}>Unapplied</span><span className={mergeClasses(styles.amount, styles.strong)} data-testid="total-unapplied">{money(totals.unapplied)} {totals.amount.currency}</span>
            </div>
          )}
          {source.blocker !== null && <Text className={styles.warning}>To suggest: {source.blocker}.</Text>}
          <div className={styles.actions}>
            <Button appearance="primary" disabled={busy || source.blocker !== null || fullyApplied} onClick={() => void suggest(source)} data-testid="suggest">
              {fullyApplied ? "Fully applied" : totals !== null && totals.rows.length > 0 ? "Suggest for the rest" : "Suggest allocations"}
            </Button>
            {totals !== null && totals.rows.length > 0 && (
              <Button disabled={busy} onClick={() => void clear(source)} data-testid="clear-allocations">Clear allocations ({totals.rows.length})</Button>
            )}
          </div>
          {progressBar}
          {suggested !== null && suggested.sourceKey === source.key ? (
            <>
              <Text className={styles.sectionTitle}>Why</Text>
              <ul className={styles.reasons} data-testid="reasons">
                {suggested.reasons.map((r, i) => <li key={i}>{r}</li>)}
              </ul>
              {suggested.shortPays.map((p) => <ShortPayChoicePanel key={p.documentId} shortPay={p} currency={source.currency ?? ""} busy={busy} onChoose={(c) => void choose(p, c)} />)}
              {suggested.problems !== null && suggested.problems > 0 && (
                <Text className={styles.warning} data-testid="suggest-problems">Check found {suggested.problems} problem(s) in the workbook: see the Review tab.</Text>
              )}
              <Text className={styles.help}>Change any Apply, Discount or Write-off on Open Items if you know better; then Check and Push on the Review tab.</Text>
            </>
          ) : (
            <Text className={styles.help}>
              Suggests by invoice numbers in the reference, then an exact amount, then oldest due first; early-payment discounts by the receipt&apos;s date; short pays up to {SHORT_PAY_TOLERANCE.amount}.00 or {SHORT_PAY_TOLERANCE.percent}% written off. Rows already settled are left alone.
            </Text>
          )}
        </div>
      )}

      <div className={styles.section}>
        <div className={styles.header}>
          <Text className={styles.sectionTitle}>Unapplied cash and credit memos ({allCredits.length})</Text>
          {allCredits.length > 0 && (
            <Button size="small" appearance="subtle" onClick={() => { setShowCredits((v) => !v); }} data-testid="toggle-credits" aria-expanded={showCredits}>
              {showCredits ? "Hide" : "Show"}
            </Button>
          )}
        </div>
        {showCredits && (
          <>
            <Input value={filter} onChange={(_e, d) => { setFilter(d.value); }} placeholder="Filter: customer number, name or reference" size="small" data-testid="payments-filter" aria-label="Filter unapplied cash and credit memos" />
            {credits.length === 0 ? (
              <Text className={styles.help}>None match.</Text>
            ) : (
              <ul className={styles.list} data-testid="credits">
                {credits.slice(0, MAX_LISTED_CREDITS).map((s) => <SourceLine key={s.key} source={s} sheets={sheets} selected={s.key === selected} onSelect={setSelected} />)}
              </ul>
            )}
            {credits.length > MAX_LISTED_CREDITS && <Text className={styles.help}>{credits.length - MAX_LISTED_CREDITS} more: narrow the filter to find them.</Text>}
          </>
        )}
      </div>

      <Text className={styles.help} data-testid="notes-help">
        Calls, emails, letters and promises to pay go on the <b>Notes</b> sheet (a promise needs an amount and a date; a follow-up date is optional). On Open Items, <b>New note</b> notes an invoice and <b>Dispute</b> flags it (pricing, quantity, damaged goods, not received, duplicate billing, other). Review pushes them all.
      </Text>
    </div>
  );
}

function SourceLine(props: { source: PaymentSource; sheets: SheetsNow | null; selected: boolean; onSelect: (key: string) => void }): ReactElement {
  const styles = useStyles();
  const { source } = props;
  const totals = props.sheets === null ? null : sourceTotals(source, props.sheets.openItems);
  const kind = source.kind === "newReceipt" ? `${PAYMENTS.sheet} row ${sheetRow(source.row)}` : source.kind === "unappliedCash" ? "Unapplied cash" : "Credit memo";
  const applied = totals !== null && totals.rows.length > 0 ? ` · ${totals.unapplied.format()} left` : "";
  return (
    <li>
      <button
        type="button"
        className={mergeClasses(styles.choice, props.selected && styles.chosen)}
        aria-pressed={props.selected}
        onClick={() => { props.onSelect(source.key); }}
        data-testid="payment-source"
        data-reference={source.reference}
      >
        <span className={styles.strong}>{source.reference || "(no reference)"}</span>
        <span className={styles.amount}>{source.amount === null ? "—" : `${source.amount.format()} ${source.amount.currency}`}</span>
        <span className={styles.sub}>
          {source.customerNumber || "no customer"}{source.customerName === "" ? "" : ` ${source.customerName}`} · {source.date ?? "no date"} · {kind}{applied}
        </span>
        {source.blocker !== null && source.kind === "newReceipt" && <span className={styles.warningText}>{source.blocker}</span>}
      </button>
    </li>
  );
}

function ShortPayChoicePanel(props: { shortPay: ShortPay; currency: string; busy: boolean; onChoose: (c: ShortPayChoice) => void }): ReactElement {
  const styles = useStyles();
  const { shortPay } = props;
  const [kind, setKind] = useState<ShortPayChoice["kind"]>(shortPay.chosen);
  const [reason, setReason] = useState(shortPay.chosen === "writeOff" ? SHORT_PAY_REASON : CHOSEN_SHORT_PAY_REASON);
  const [dispute, setDispute] = useState<DisputeReason>("pricing");
  const [note, setNote] = useState("");
  const short = `${shortPay.shortfall.format()} ${props.currency}`;
  const choice: ShortPayChoice = kind === "open" ? { kind } : kind === "writeOff" ? { kind, reason } : { kind, reason: dispute, note };
  return (
    <div className={styles.section} data-testid="short-pay">
      <Text className={styles.sectionTitle}>
        {shortPay.number}: {shortPay.paid.format()} paid of {shortPay.open.format()}{shortPay.discount.isZero() ? "" : ` less ${shortPay.discount.format()} discount`} — {short} short
      </Text>
      <RadioGroup value={kind} onChange={(_e, d) => { setKind(d.value as ShortPayChoice["kind"]); }} aria-label={`What to do with the ${short} short on ${shortPay.number}`}>
        <Radio value="open" label={`Leave ${short} open`} data-testid="short-pay-open" />
        <Radio value="writeOff" label={`Write off ${short}`} data-testid="short-pay-write-off" />
        <Radio value="dispute" label={`Dispute ${short}`} data-testid="short-pay-dispute" />
      </RadioGroup>
      {kind === "writeOff" && (
        <Field label="Reason" hint="Above your write-off limit a controller must post it; Dry run tells you.">
          <Input size="small" value={reason} onChange={(_e, d) => { setReason(d.value); }} data-testid="short-pay-reason" />
        </Field>
      )}
      {kind === "dispute" && (
        <div className={styles.row}>
          <Field label="Reason" className={styles.grow}>
            <Dropdown
              size="small"
              value={DISPUTE_CHOICES.find((d) => d.code === dispute)?.label ?? ""}
              selectedOptions={[dispute]}
              onOptionSelect={(_e, d) => { setDispute((d.optionValue as DisputeReason | undefined) ?? "other"); }}
              data-testid="short-pay-dispute-reason"
            >
              {DISPUTE_CHOICES.map((d) => <Option key={d.code} value={d.code}>{d.label}</Option>)}
            </Dropdown>
          </Field>
          <Field label="Note" className={styles.grow}>
            <Input size="small" value={note} onChange={(_e, d) => { setNote(d.value); }} placeholder="what the customer said" data-testid="short-pay-note" />
          </Field>
        </div>
      )}
      <div className={styles.actions}>
        <Button size="small" disabled={props.busy || (kind === shortPay.chosen && kind === "open")} onClick={() => { props.onChoose(choice); }} data-testid="short-pay-apply">
          {kind === shortPay.chosen && kind !== "open" ? "Update the row" : "Write it on the row"}
        </Button>
        <Text className={styles.help} data-testid="short-pay-now">On the row now: {shortPay.chosen === "open" ? "left open" : shortPay.chosen === "writeOff" ? "written off" : "disputed"}.</Text>
      </div>
    </div>
  );
}
