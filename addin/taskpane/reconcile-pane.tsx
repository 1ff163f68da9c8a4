/**
 * Reconcile: import a bank file into the Reconcile sheet (lines with the
 * matching engine's suggestions), accept the auto-matches, see the bank
 * deposit reconciliation of the imported statement, and write the AR Recon
 * sheet as of a date. Accepted lines are pushed from Review.
 */
import { Button, Dropdown, Field, Input, Option, ProgressBar, Text } from "@fluentui/react-components";
import { useEffect, useRef, useState, type ReactElement } from "react";
import { isCurrencyCode } from "../../shared/currency.js";
import { isIsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import type { WorkbookGateway } from "../excel/gateway.js";
import type { ApiClient, BankUploadFormat } from "../sync/api-client.js";
import { acceptAutoMatches, importStatement, writeArRecon } from "../sync/reconcile.js";
import type { BankReconciliationWire, BankStatementWire } from "../sync/wire.js";
import type { Notice } from "./notice.js";
import { useStyles } from "./styles.js";

const FORMATS: readonly { value: BankUploadFormat; label: string }[] = [
  { value: "auto", label: "Detect" },
  { value: "bai2", label: "BAI2" },
  { value: "camt", label: "camt.053/054" },
  { value: "lockbox", label: "BAI lockbox" },
  { value: "csv", label: "CSV (saved mapping)" },
];

/** Statements whose reconciliation the pane keeps showing (the newest imports). */
const STATEMENTS_KEPT = 6;

export function ReconcilePane(props: {
  gateway: WorkbookGateway;
  client: ApiClient;
  today: () => string;
  onNotice: (n: Notice) => void;
  onError: (e: unknown, what: string) => void;
  /** The tab is showing: the bank reconciliation is fetched again (a push from Review may have matched lines). */
  active: boolean;
}): ReactElement {
  const styles = useStyles();
  const { gateway, client, active, onError } = props;
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<BankUploadFormat>("auto");
  const [mapping, setMapping] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [statements, setStatements] = useState<readonly BankStatementWire[]>([]);
  const [recons, setRecons] = useState<readonly BankReconciliationWire[]>([]);
  const [asOf, setAsOf] = useState(props.today());

  const work = async (what: string, run: () => Promise<void>) => {
    props.onNotice(null);
    setBusy(what);
    try {
      await run();
    } catch (error) {
      props.onError(error, `${what} failed`);
    } finally {
      setBusy(null);
    }
  };

  const upload = () =>
    work("Import", async () => {
      if (file === null) return;
      // Bytes, not text: the server decodes (camt declares its encoding; BAI2 and CSV may be Latin-1).
      const content = await file.arrayBuffer();
      const result = await importStatement({ gateway, client, content, format, fileName: file.name, ...(format === "csv" ? { mapping } : {}) });
      // The newest file's statements first; those imported earlier in this session stay below them.
      const next = [...result.statements, ...statements.filter((s) => !result.statements.some((n) => n.id === s.id))].slice(0, STATEMENTS_KEPT);
      setStatements(next);
      setRecons(await Promise.all(next.map((s) => client.bankReconciliation(s.id))));
      props.onNotice({
        intent: "success",
        title: result.created ? "Imported" : "Already imported",
        text: `${result.lines} line(s) from ${result.statements.length} statement(s) on the Reconcile sheet: ${result.suggested} with a suggested customer, ${result.autoAccept} auto-match(es). Set Decision to accept or reject, then push from Review.`,
      });
    });

  const acceptAll = () =>
    work("Accept", async () => {
      const count = await acceptAutoMatches(gateway);
      props.onNotice({ intent: "success", title: "Auto-matches accepted", text: `Decision set to accept on ${count} line(s). Review and push to record them.` });
    });

  const refreshRecon = () =>
    work("Bank reconciliation", async () => {
      setRecons(await Promise.all(statements.map((s) => client.bankReconciliation(s.id))));
    });

  const arRecon = () =>
    work("AR Recon", async () => {
      const report = await writeArRecon({ gateway, client, asOf });
      const open = report.currencies.filter((c) => !c.reconciled).map((c) => `${c.currency} ${c.unexplained}`);
      props.onNotice({
        intent: open.length === 0 ? "success" : "warning",
        title: "AR Recon written",
        text: open.length === 0 ? `As of ${asOf}: every currency reconciles.` : `As of ${asOf}: unexplained ${open.join(", ")}.`,
      });
    });

  // Coming back to the tab: the statements' reconciliation as the ledger has it now, without touching the notice.
  const shown = useRef(statements);
  useEffect(() => {
    shown.current = statements;
  }, [statements]);
  useEffect(() => {
    const current = shown.current;
    if (!active || current.length === 0) return;
    let stale = false;
    Promise.all(current.map((s) => client.bankReconciliation(s.id))).then(
      (next) => { if (!stale) setRecons(next); },
      (error: unknown) => { if (!stale) onError(error, "Bank reconciliation failed"); },
    );
    return () => { stale = true; };
  }, [active, client, onError]);

  const dateError = isIsoDate(asOf) ? null : "a real date, YYYY-MM-DD";
  return (
    <div className={styles.form} data-testid="reconcile-pane">
      <Text weight="semibold">Bank statement</Text>
      <div className={styles.row}>
        <Field label="File" className={styles.grow}>
          <input type="file" accept=".bai,.bai2,.txt,.xml,.csv" onChange={(e) => { setFile(e.target.files?.[0] ?? null); }} data-testid="bank-file" />
        </Field>
        <Field label="Format" className={styles.grow}>
          <Dropdown value={FORMATS.find((f) => f.value === format)?.label ?? "Detect"} selectedOptions={[format]} onOptionSelect={(_e, d) => { setFormat((d.optionValue as BankUploadFormat | undefined) ?? "auto"); }} data-testid="bank-format">
            {FORMATS.map((f) => <Option key={f.value} value={f.value}>{f.label}</Option>)}
          </Dropdown>
        </Field>
      </div>
      {format === "csv" && (
        <Field label="Bank (its saved CSV mapping)" hint="The name the mapping was saved under, e.g. First Valley" validationMessage={mapping.trim() === "" ? "name the bank whose mapping reads this file" : null} validationState={mapping.trim() === "" ? "warning" : "none"}>
          <Input value={mapping} onChange={(_e, d) => { setMapping(d.value); }} data-testid="csv-mapping" />
        </Field>
      )}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy !== null || file === null || (format === "csv" && mapping.trim() === "")} onClick={() => void upload()} data-testid="import-statement">Import</Button>
        <Button disabled={busy !== null} onClick={() => void acceptAll()} data-testid="accept-auto">Accept all auto-matches</Button>
        <Button disabled={busy !== null || statements.length === 0} onClick={() => void refreshRecon()} data-testid="refresh-bank-recon">Re-check</Button>
      </div>
      {recons.map((r) => (
        <BankReconSummary key={r.statementId} recon={r} account={statements.find((st) => st.id === r.statementId)?.account ?? null} />
      ))}
      <Text weight="semibold">AR to GL</Text>
      <div className={styles.row}>
        <Field label="AR Recon as of" className={styles.grow} validationMessage={dateError} validationState={dateError === null ? "none" : "error"}>
          <Input type="date" value={asOf} onChange={(_e, d) => { setAsOf(d.value); }} data-testid="ar-recon-as-of" />
        </Field>
        <Button disabled={busy !== null || dateError !== null} onClick={() => void arRecon()} data-testid="ar-recon">Write AR Recon</Button>
      </div>
      {busy !== null && (
        <Field validationMessage={`${busy}…`} validationState="none">
          <ProgressBar data-testid="progress" />
        </Field>
      )}
    </div>
  );
}

/** An amount from the wire as the clerk reads it: "13,972.84" (the text as sent when the currency is unknown). */
function shownAmount(text: string | null, currency: string): string {
  if (text === null) return "—";
  return isCurrencyCode(currency) ? Money.parse(text, currency).format() : text;
}

const UNMATCHED_SHOWN = 6;

/** One statement's bank deposit reconciliation: the counts, the lines nobody recorded, and the tie-out. */
function BankReconSummary(props: { recon: BankReconciliationWire; account: string | null }): ReactElement {
  const styles = useStyles();
  const r = props.recon;
  const amount = (text: string | null) => shownAmount(text, r.currency);
  const period = r.from === r.to ? (r.from ?? "no dates") : `${r.from ?? "?"} – ${r.to ?? "?"}`;
  const tie = r.balance.ties === true ? `Ties to the closing balance ${amount(r.balance.closing)} ${r.currency}` : r.balance.ties === false ? `Does not tie: difference ${amount(r.balance.difference)} ${r.currency}` : "Cannot be tied out";
  return (
    <div className={styles.card} data-testid="bank-recon" data-statement={r.statementId}>
      <Text size={200} weight="semibold" block data-testid="bank-recon-title">{props.account === null ? "" : `${props.account} · `}{r.currency} · {period}</Text>
      <div className={styles.figures}>
        <span>Matched to receipts</span>
        <span className={styles.amount} data-testid="bank-recon-matched">{r.matched.length} · {amount(r.totals.matched)}</span>
        <span>Lines without a receipt</span>
        <span className={styles.amount} data-testid="bank-recon-lines-without">{r.linesWithoutReceipt.length} · {amount(r.totals.creditsWithoutReceipt)} in, {amount(r.totals.debitsWithoutReceipt)} out</span>
        <span>Receipts without a line</span>
        <span className={styles.amount} data-testid="bank-recon-receipts-without">{r.receiptsWithoutLine.length} · {amount(r.totals.receiptsWithoutLine)}</span>
      </div>
      {r.linesWithoutReceipt.length > 0 && (
        <ul className={styles.reasons} data-testid="bank-recon-unmatched">
          {r.linesWithoutReceipt.slice(0, UNMATCHED_SHOWN).map((l) => (
            <li key={l.id}>
              {l.bookingDate} {l.reference ?? `line ${l.lineNo}`} {amount(l.amount)}{l.payerName === null ? "" : ` · ${l.payerName}`}
            </li>
          ))}
          {r.linesWithoutReceipt.length > UNMATCHED_SHOWN && <li>…and {r.linesWithoutReceipt.length - UNMATCHED_SHOWN} more on the Reconcile sheet</li>}
        </ul>
      )}
      <Text size={200} block weight="semibold" className={r.balance.ties === true ? styles.good : r.balance.ties === false ? styles.warning : styles.muted} data-testid="bank-recon-balance">{tie}</Text>
      {r.balance.ties !== true && <Text size={200} block className={styles.help}>{r.balance.message}</Text>}
    </div>
  );
}
