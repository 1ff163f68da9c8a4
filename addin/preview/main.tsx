/**
 * The browser preview (/preview): the real task pane beside an in-page
 * workbook, so OpenAR runs end to end without Excel — for demos, and for the
 * end-to-end tests in headless Chromium. Same App, other gateway.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { createRoot } from "react-dom/client";
import { createBrowserWorkbook } from "../excel/browser-gateway.js";
import { App } from "../taskpane/app.js";
import { WorkbookView } from "./workbook-view.js";

const params = new URLSearchParams(window.location.search);
const { gateway, model } = createBrowserWorkbook({ workbookId: params.get("workbook") ?? "preview" });
// A handle for people poking at the preview from the browser console (and for the end-to-end tests).
(window as unknown as { openarPreview?: unknown }).openarPreview = { gateway, model };

const container = document.getElementById("root");
if (container !== null) {
  createRoot(container).render(
    <FluentProvider theme={webLightTheme} style={{ height: "100vh" }}>
      <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 360px", height: "100vh" }}>
        <main style={{ minWidth: 0, height: "100vh", overflow: "hidden", borderRight: "1px solid #e0e0e0" }} data-testid="workbook">
          <WorkbookView model={model} />
        </main>
        <aside style={{ overflowY: "auto" }} aria-label="OpenAR task pane">
          <App gateway={gateway} defaultServerUrl={window.location.origin} />
        </aside>
      </div>
    </FluentProvider>,
  );
}
