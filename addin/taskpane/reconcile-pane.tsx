/**
 * Reconcile: import a bank file into the Reconcile sheet (lines with the
 * matching engine's suggestions), accept the auto-matches, see the bank
 * deposit reconciliation of the imported statement, and write the AR Recon
 * sheet as of a date. Accepted lines are pushed from Review.
 */
import { Button, Dropdown, Field, Input, Option, ProgressBar, Text } from "@fluentui/react-components";
import { useState, type ReactElement } from "react";
import { isIsoDate } from "../../shared/dates.js";
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

export function ReconcilePane(props: {
  gateway: WorkbookGateway;
  client: ApiClient;
  today: () => string;
  onNotice: (n: Notice) => void;
  onError: (e: unknown, what: string) => void;
}): ReactElement {
  const styles = useStyles();
  const { gateway, client } = props;
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<BankUploadFormat>("auto");
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
      const result = await importStatement({ gateway, client, content, format, fileName: file.name });
      setStatements(result.statements);
      setRecons(await Promise.all(result.statements.map((s) => client.bankReconciliation(s.id))));
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
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy !== null || file === null} onClick={() => void upload()} data-testid="import-statement">Import</Button>
        <Button disabled={busy !== null} onClick={() => void acceptAll()} data-testid="accept-auto">Accept all auto-matches</Button>
        <Button disabled={busy !== null || statements.length === 0} onClick={() => void refreshRecon()} data-testid="refresh-bank-recon">Re-check</Button>
      </div>
      {recons.map((r) => (
        <div key={r.statementId} data-testid="bank-recon">
          <Text size={200} block>
            {r.currency} {r.from ?? "?"} – {r.to ?? "?"}: {r.matched.length} matched ({r.totals.matched}); {r.linesWithoutReceipt.length} line(s) without a receipt ({r.totals.creditsWithoutReceipt} in, {r.totals.debitsWithoutReceipt} out); {r.receiptsWithoutLine.length} receipt(s) without a line ({r.totals.receiptsWithoutLine}).
          </Text>
          <Text size={200} block weight="semibold" data-testid="bank-recon-balance">
            {r.balance.ties === true ? `Ties to the closing balance ${r.balance.closing ?? ""}` : r.balance.ties === false ? `Does not tie: difference ${r.balance.difference ?? ""}` : r.balance.message}
          </Text>
        </div>
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
