/**
 * Task pane entry: render after Office.onReady, with the Office.js gateway.
 * When Office.js cannot load (no network to Microsoft's CDN, or the page was
 * opened outside Excel) the pane says so instead of staying blank.
 */
import { createRoot } from "react-dom/client";
import { createOfficeGateway } from "../excel/office-gateway.js";
import { App } from "./app.js";

const OFFICE_TIMEOUT_MS = 10_000;

function showProblem(container: HTMLElement, text: string): void {
  container.innerHTML = "";
  const box = document.createElement("div");
  box.setAttribute("role", "alert");
  box.style.cssText = "font:14px 'Segoe UI',sans-serif;padding:16px;color:#a4262c";
  const title = document.createElement("b");
  title.textContent = "OpenAR cannot start";
  const body = document.createElement("p");
  body.textContent = text;
  const preview = document.createElement("p");
  preview.innerHTML = 'Without Excel, try the browser preview: <a href="/preview">/preview</a>.';
  box.append(title, body, preview);
  container.append(box);
}

const container = document.getElementById("root");
if (container !== null) {
  const office = (globalThis as { Office?: typeof Office }).Office;
  if (office === undefined) {
    showProblem(container, "Office.js could not be loaded from Microsoft's CDN (appsforoffice.microsoft.com). Check the network, then reopen the add-in.");
  } else {
    const timer = setTimeout(() => {
      showProblem(container, "Office did not answer: open this page from Excel's ribbon (Home → OpenAR), not directly in a browser.");
    }, OFFICE_TIMEOUT_MS);
    void office.onReady((info) => {
      clearTimeout(timer);
      if (info.host !== office.HostType.Excel) {
        showProblem(container, `This add-in runs in Excel; it was opened in ${String(info.host)}.`);
        return;
      }
      // Office single sign-on (Microsoft Entra ID): available when the manifest carries WebApplicationInfo.
      const getEntraToken = () => office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
      createRoot(container).render(<App gateway={createOfficeGateway()} defaultServerUrl={window.location.origin} getEntraToken={getEntraToken} />);
    });
  }
}
