/** Settings: what this workbook remembers (never the token). */
import { Text } from "@fluentui/react-components";
import { useEffect, useState, type ReactElement } from "react";
import type { WorkbookGateway } from "../excel/gateway.js";
import { KEYS, loadLastPull, type SavedPull } from "../sync/workbook-state.js";
import { useStyles } from "./styles.js";

export function SettingsPane(props: { gateway: WorkbookGateway }): ReactElement {
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
