/** Pull: open items and aging as of a date, with optional filters; Refresh merges what changed since. */
import { Button, Checkbox, Dropdown, Field, Input, Option, ProgressBar, Text } from "@fluentui/react-components";
import { useEffect, useRef, useState, type ReactElement } from "react";
import { parseAgingEdges } from "../../shared/aging.js";
import { isIsoDate } from "../../shared/dates.js";
import type { WorkbookGateway } from "../excel/gateway.js";
import { ApiError, type ApiClient } from "../sync/api-client.js";
import { pull, type Progress } from "../sync/pull.js";
import { refresh } from "../sync/refresh.js";
import { loadLastPull, type SavedPull } from "../sync/workbook-state.js";
import type { Notice } from "./notice.js";
import { useStyles } from "./styles.js";

export function PullPane(props: {
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
