/**
 * Draws the in-page workbook like a spreadsheet: formula bar, column letters,
 * row numbers, the table header frozen at the top, sheet tabs at the bottom,
 * charts floating beside their table. Rows are virtualised at a fixed height,
 * so only the rows in sight are in the DOM and 100,000 rows scroll smoothly.
 *
 * The user edits yellow (editable) cells by double-click, F2 or just typing;
 * Enter commits and moves down, Tab moves right, Escape cancels. Locked cells
 * refuse, with a message. Edits go to the model, which tells the gateway's
 * change listeners; nothing here knows about the gateway.
 *
 * Test hooks: every cell has data-cell="<table>:<row>:<columnKey>", header
 * cells data-header="<table>:<columnKey>", sheet tabs data-sheet="<name>".
 */
import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type {
  CSSProperties,
  KeyboardEvent as ReactKeyboardEvent,
  MouseEvent as ReactMouseEvent,
  ReactElement,
} from "react";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { columnLetter } from "../excel/cells.js";
import {
  formatCellValue,
  type CellAddress,
  type ChartData,
  type PlacedChart,
  type TableBlock,
  type VisibleColumn,
  type WorkbookModel,
} from "./workbook-model.js";

const ROW_H = 22;
const LETTERS_H = 22;
const ROW_NUMBER_W = 56;
const CHAR_W = 7.4;
const DEFAULT_CHARS = 9;
const OVERSCAN = 6;
const SELECT_GREEN = "#107C41";
const GRID_LINE = "#E3E3E3";
const HEADER_GRID_LINE = "#CFCFCF";
const CHART_W = 600;

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    height: "100%",
    minHeight: 0,
    backgroundColor: tokens.colorNeutralBackground1,
    fontFamily: tokens.fontFamilyBase,
    fontSize: "13px",
    color: tokens.colorNeutralForeground1,
  },
  formulaBar: {
    display: "flex",
    alignItems: "stretch",
    height: "30px",
    flexShrink: 0,
    borderBottom: `1px solid ${HEADER_GRID_LINE}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  nameBox: {
    width: "92px",
    flexShrink: 0,
    display: "flex",
    alignItems: "center",
    paddingLeft: tokens.spacingHorizontalS,
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
    fontVariantNumeric: "tabular-nums",
  },
  fx: {
    width: "36px",
    flexShrink: 0,
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    color: tokens.colorNeutralForeground3,
    fontStyle: "italic",
    fontFamily: "Cambria, Georgia, serif",
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
  },
  formulaValue: {
    flexGrow: 1,
    minWidth: 0,
    display: "flex",
    alignItems: "center",
    paddingLeft: tokens.spacingHorizontalS,
    whiteSpace: "nowrap",
    overflow: "hidden",
    textOverflow: "ellipsis",
  },
  access: {
    flexShrink: 0,
    display: "flex",
    alignItems: "center",
    paddingRight: tokens.spacingHorizontalM,
    paddingLeft: tokens.spacingHorizontalM,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground3,
  },
  accessEditable: { color: "#8A6100" },
  scroller: {
    position: "relative",
    flexGrow: 1,
    minHeight: 0,
    overflow: "auto",
    outlineStyle: "none",
    backgroundColor: "#FFFFFF",
    cursor: "cell",
    userSelect: "none",
  },
  canvas: { position: "relative" },
  frozen: {
    position: "sticky",
    top: 0,
    zIndex: 3,
  },
  line: { display: "flex", height: `${ROW_H}px` },
  lettersLine: { display: "flex", height: `${LETTERS_H}px`, backgroundColor: "#F3F3F3" },
  row: { position: "absolute", left: 0, display: "flex", height: `${ROW_H}px` },
  corner: {
    position: "sticky",
    left: 0,
    zIndex: 2,
    flexShrink: 0,
    backgroundColor: "#F3F3F3",
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
    borderBottom: `1px solid ${HEADER_GRID_LINE}`,
    boxSizing: "border-box",
  },
  letter: {
    flexShrink: 0,
    boxSizing: "border-box",
    textAlign: "center",
    lineHeight: `${LETTERS_H - 1}px`,
    color: "#444444",
    backgroundColor: "#F3F3F3",
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
    borderBottom: `1px solid ${HEADER_GRID_LINE}`,
  },
  rowNumber: {
    position: "sticky",
    left: 0,
    zIndex: 2,
    flexShrink: 0,
    boxSizing: "border-box",
    textAlign: "center",
    lineHeight: `${ROW_H - 1}px`,
    color: "#444444",
    backgroundColor: "#F3F3F3",
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
    borderBottom: `1px solid ${HEADER_GRID_LINE}`,
    fontVariantNumeric: "tabular-nums",
  },
  headingActive: {
    backgroundColor: "#D3F0E0",
    color: SELECT_GREEN,
    fontWeight: tokens.fontWeightSemibold,
    borderBottomColor: SELECT_GREEN,
  },
  rowNumberActive: {
    backgroundColor: "#D3F0E0",
    color: SELECT_GREEN,
    fontWeight: tokens.fontWeightSemibold,
    borderRightColor: SELECT_GREEN,
  },
  cell: {
    position: "relative",
    flexShrink: 0,
    boxSizing: "border-box",
    paddingLeft: "4px",
    paddingRight: "4px",
    lineHeight: `${ROW_H - 1}px`,
    whiteSpace: "nowrap",
    overflow: "hidden",
    textOverflow: "ellipsis",
    borderRight: `1px solid ${GRID_LINE}`,
    borderBottom: `1px solid ${GRID_LINE}`,
    fontVariantNumeric: "tabular-nums",
  },
  header: {
    fontWeight: tokens.fontWeightSemibold,
    paddingRight: "20px",
  },
  filterButton: {
    position: "absolute",
    right: "3px",
    top: "4px",
    width: "13px",
    height: "13px",
    boxSizing: "border-box",
    border: "1px solid rgba(0,0,0,0.25)",
    backgroundColor: "rgba(255,255,255,0.9)",
    color: "#505050",
    fontSize: "8px",
    lineHeight: "11px",
    textAlign: "center",
  },
  note: {
    "::after": {
      content: '""',
      position: "absolute",
      top: 0,
      right: 0,
      borderTop: "6px solid #C00000",
      borderLeft: "6px solid transparent",
    },
  },
  selection: {
    position: "absolute",
    zIndex: 1,
    boxSizing: "border-box",
    border: `2px solid ${SELECT_GREEN}`,
    pointerEvents: "none",
  },
  editor: {
    position: "absolute",
    zIndex: 1,
    boxSizing: "border-box",
    border: `2px solid ${SELECT_GREEN}`,
    paddingLeft: "3px",
    paddingRight: "3px",
    fontFamily: "inherit",
    fontSize: "inherit",
    outlineStyle: "none",
    backgroundColor: "#FFFFFF",
    boxShadow: tokens.shadow8,
  },
  chart: {
    position: "absolute",
    zIndex: 1,
    backgroundColor: "#FFFFFF",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow4,
    cursor: "default",
  },
  empty: {
    position: "absolute",
    top: "96px",
    left: "50%",
    transform: "translateX(-50%)",
    zIndex: 2,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground2,
    cursor: "default",
  },
  message: {
    flexShrink: 0,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorPaletteYellowBackground1,
    borderTop: `1px solid ${tokens.colorPaletteYellowBorder1}`,
    color: tokens.colorNeutralForeground1,
  },
  bottom: {
    display: "flex",
    alignItems: "stretch",
    flexShrink: 0,
    height: "30px",
    backgroundColor: "#F3F3F3",
    borderTop: `1px solid ${HEADER_GRID_LINE}`,
  },
  tabs: {
    display: "flex",
    alignItems: "stretch",
    overflowX: "auto",
    paddingLeft: tokens.spacingHorizontalM,
    minWidth: 0,
  },
  tab: {
    flexShrink: 0,
    border: "none",
    borderRight: `1px solid ${HEADER_GRID_LINE}`,
    backgroundColor: "transparent",
    padding: `0 ${tokens.spacingHorizontalL}`,
    fontFamily: "inherit",
    fontSize: "inherit",
    color: tokens.colorNeutralForeground2,
    cursor: "pointer",
    ":hover": { backgroundColor: "#E8E8E8" },
  },
  tabActive: {
    backgroundColor: "#FFFFFF",
    color: SELECT_GREEN,
    fontWeight: tokens.fontWeightSemibold,
    boxShadow: `inset 0 -3px 0 ${SELECT_GREEN}`,
    ":hover": { backgroundColor: "#FFFFFF" },
  },
  status: {
    marginLeft: "auto",
    display: "flex",
    alignItems: "center",
    paddingRight: tokens.spacingHorizontalM,
    paddingLeft: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "nowrap",
  },
});

export interface WorkbookViewProps {
  readonly model: WorkbookModel;
  readonly className?: string;
}

interface SheetColumn {
  readonly letter: string;
  readonly left: number;
  readonly width: number;
}

interface ChartBox {
  readonly chart: PlacedChart;
  readonly left: number;
  readonly top: number;
  readonly height: number;
}

interface Geometry {
  readonly blocks: readonly TableBlock[];
  /** Visible columns of each table, by position: a table's j-th column sits in sheet column j. */
  readonly tableColumns: ReadonlyMap<string, readonly VisibleColumn[]>;
  readonly columns: readonly SheetColumn[];
  readonly width: number;
  readonly rows: number;
  /** The first table's header is sheet row 1, frozen like Excel's "Freeze Top Row". */
  readonly frozen: boolean;
  readonly charts: readonly ChartBox[];
}

type RowSlot =
  | { readonly kind: "header"; readonly table: string }
  | { readonly kind: "data"; readonly table: string; readonly row: number }
  | { readonly kind: "empty" };

interface Editing {
  readonly address: CellAddress;
  readonly text: string;
  /** "enter": started by typing, arrows commit and move; "edit": F2/double-click, arrows move the caret. */
  readonly mode: "enter" | "edit";
}

const widthOf = (chars: number | undefined): number => Math.round((chars ?? DEFAULT_CHARS) * CHAR_W + 10);

function chartHeight(categories: number): number {
  return 84 + Math.min(categories, MAX_CHART_CATEGORIES) * 26;
}

function geometry(model: WorkbookModel, sheet: string | null, viewport: { width: number; height: number }): Geometry {
  const blocks = sheet === null ? [] : model.sheetLayout(sheet);
  const tableColumns = new Map<string, readonly VisibleColumn[]>();
  for (const block of blocks) tableColumns.set(block.table, model.visibleColumns(block.table));
  const columns: SheetColumn[] = [];
  let left = ROW_NUMBER_W;
  let lastIndex = -1;
  let widest: readonly VisibleColumn[] = [];
  for (const cols of tableColumns.values()) if (cols.length > widest.length) widest = cols;
  for (const block of blocks) {
    const spec = model.tableSpec(block.table);
    lastIndex = Math.max(lastIndex, spec.columns.length - 1);
  }
  for (const column of widest) {
    // A header is never cut short: the preview widens the column to fit it (Excel would leave that to the user).
    const width = Math.max(widthOf(column.spec.width), Math.round(column.spec.header.length * 7 + 30));
    columns.push({ letter: column.letter, left, width });
    left += width;
  }
  const tableRight = left;
  const last = blocks.at(-1);
  const used = last === undefined ? 0 : last.headerRow + 1 + last.rowCount;
  // Charts float beside the table when there is room in sight, else below it.
  const gap = ROW_H;
  const beside = tableRight + gap + CHART_W <= viewport.width;
  const charts: ChartBox[] = [];
  let chartTop = beside ? LETTERS_H + ROW_H : LETTERS_H + (used + 1) * ROW_H;
  if (sheet !== null) {
    for (const chart of model.chartsOnSheet(sheet)) {
      const height = chartHeight(model.rowCount(chart.table));
      charts.push({ chart, left: beside ? tableRight + gap : ROW_NUMBER_W + gap, top: chartTop, height });
      chartTop += height + ROW_H;
    }
  }
  const chartRight = charts.length === 0 ? tableRight : (charts[0]?.left ?? 0) + CHART_W + gap;
  // Empty columns to the right, as a spreadsheet has, with letters after the table's last (hidden) column.
  let next = lastIndex + 1;
  while (left < Math.max(viewport.width, chartRight) + widthOf(DEFAULT_CHARS)) {
    const width = widthOf(DEFAULT_CHARS);
    columns.push({ letter: columnLetter(next), left, width });
    left += width;
    next++;
  }
  const chartRows = Math.ceil((chartTop - LETTERS_H) / ROW_H);
  const rows = Math.max(used, chartRows, Math.ceil(viewport.height / ROW_H) + 1);
  return { blocks, tableColumns, columns, width: left, rows, frozen: blocks[0]?.headerRow === 0, charts };
}

function slotOf(geo: Geometry, sheetRow: number): RowSlot {
  for (const block of geo.blocks) {
    if (sheetRow === block.headerRow) return { kind: "header", table: block.table };
    if (sheetRow > block.headerRow && sheetRow <= block.headerRow + block.rowCount) {
      return { kind: "data", table: block.table, row: sheetRow - block.headerRow - 1 };
    }
  }
  return { kind: "empty" };
}

/** Sheet row and column position of a table cell, or null when it is not on the drawn sheet. */
function placeOf(geo: Geometry, address: CellAddress): { row: number; col: number } | null {
  const block = geo.blocks.find((b) => b.table === address.table);
  const col = geo.tableColumns.get(address.table)?.findIndex((c) => c.spec.key === address.column) ?? -1;
  if (block === undefined || col < 0 || address.row >= block.rowCount) return null;
  return { row: block.headerRow + 1 + address.row, col };
}

function parseCellAttribute(value: string | undefined): CellAddress | null {
  if (value === undefined) return null;
  const first = value.indexOf(":");
  const second = value.indexOf(":", first + 1);
  if (first < 0 || second < 0) return null;
  return { table: value.slice(0, first), row: Number(value.slice(first + 1, second)), column: value.slice(second + 1) };
}

export function WorkbookView({ model, className }: WorkbookViewProps): ReactElement {
  const styles = useStyles();
  const revision = useSyncExternalStore(model.subscribe, model.getRevision);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const editingRef = useRef<Editing | null>(null);
  const savedScroll = useRef(new Map<string, { top: number; left: number }>());
  const [viewport, setViewport] = useState({ width: 1200, height: 700 });
  // The first row in sight, not the pixel offset: scrolling within a row does not re-render.
  const [scrollRow, setScrollRow] = useState(0);
  const [editing, setEditingState] = useState<Editing | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const sheets = model.sheetNames();
  const activeSheet = model.activeSheet;
  const selection = model.selection;
  const scrollRequest = model.scrollRequest;

  const geo = useMemo(
    () => geometry(model, activeSheet, viewport),
    // The model is mutable: its revision is what says the geometry may have changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [model, activeSheet, revision, viewport],
  );

  const setEditing = (next: Editing | null): void => {
    editingRef.current = next;
    setEditingState(next);
  };

  // Track the scroller's size; scroll position is tracked in onScroll.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null) return;
    const measure = (): void => {
      setViewport((v) =>
        v.width === scroller.clientWidth && v.height === scroller.clientHeight
          ? v
          : { width: scroller.clientWidth, height: scroller.clientHeight },
      );
    };
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    return () => {
      observer.disconnect();
    };
  }, []);

  // Each sheet keeps its own scroll position, as Excel's sheets do.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null || activeSheet === null) return;
    const saved = savedScroll.current.get(activeSheet) ?? { top: 0, left: 0 };
    scroller.scrollTop = saved.top;
    scroller.scrollLeft = saved.left;
  }, [activeSheet]);

  // The add-in's select() asks for the selected cell to be brought into sight.
  useEffect(() => {
    if (scrollRequest === 0) return;
    const current = model.selection;
    const scroller = scrollerRef.current;
    if (current === null || scroller === null) return;
    const sheet = model.activeSheet;
    const g = geometry(model, sheet, { width: scroller.clientWidth, height: scroller.clientHeight });
    revealCell(scroller, g, current);
  }, [model, scrollRequest]);

  useEffect(() => {
    if (message === null) return;
    const timer = setTimeout(() => {
      setMessage(null);
    }, 5000);
    return () => {
      clearTimeout(timer);
    };
  }, [message]);

  const onScroll = (): void => {
    const scroller = scrollerRef.current;
    if (scroller === null) return;
    if (activeSheet !== null)
      savedScroll.current.set(activeSheet, { top: scroller.scrollTop, left: scroller.scrollLeft });
    setScrollRow(Math.floor(scroller.scrollTop / ROW_H));
  };

  const selectCell = (address: CellAddress): void => {
    model.select(address);
    const scroller = scrollerRef.current;
    if (scroller !== null) revealCell(scroller, geo, address);
  };

  const startEditing = (address: CellAddress, mode: Editing["mode"], text?: string): void => {
    if (!model.isEditable(address.table, address.column)) {
      const header =
        model.tableSpec(address.table).columns.find((c) => c.key === address.column)?.header ?? address.column;
      setMessage(`“${header}” is read-only: it comes from the server. Only the yellow columns can be edited.`);
      return;
    }
    setMessage(null);
    setEditing({ address, mode, text: text ?? model.editText(address.table, address.row, address.column) });
  };

  const move = (from: CellAddress, dRow: number, dCol: number, toEdge = false): void => {
    const columns = geo.tableColumns.get(from.table) ?? [];
    const col = columns.findIndex((c) => c.spec.key === from.column);
    const rowCount = model.rowCount(from.table);
    if (col < 0 || rowCount === 0) return;
    const page = Math.max(1, Math.floor(viewport.height / ROW_H) - 2);
    const stepRow = Math.abs(dRow) === Infinity ? page * Math.sign(dRow) : dRow;
    const row =
      toEdge && dRow !== 0 ? (dRow > 0 ? rowCount - 1 : 0) : Math.min(rowCount - 1, Math.max(0, from.row + stepRow));
    const nextCol =
      toEdge && dCol !== 0
        ? dCol > 0
          ? columns.length - 1
          : 0
        : Math.min(columns.length - 1, Math.max(0, col + dCol));
    const key = columns[nextCol]?.spec.key;
    if (key !== undefined) selectCell({ table: from.table, row, column: key });
  };

  const commit = (then: { dRow: number; dCol: number } | null): void => {
    const current = editingRef.current;
    if (current === null) return;
    setEditing(null);
    const result = model.typeIntoCell(current.address, current.text);
    if (!result.ok) setMessage(result.message);
    if (then !== null) move(current.address, then.dRow, then.dCol);
    scrollerRef.current?.focus({ preventScroll: true });
  };

  const cancel = (): void => {
    setEditing(null);
    scrollerRef.current?.focus({ preventScroll: true });
  };

  const onGridKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (editingRef.current !== null || event.target !== event.currentTarget) return;
    const current = model.selection;
    if (current === null || !geo.blocks.some((b) => b.table === current.table)) {
      const first = geo.blocks.find((b) => b.rowCount > 0);
      const key = first === undefined ? undefined : geo.tableColumns.get(first.table)?.[0]?.spec.key;
      if (first !== undefined && key !== undefined && event.key.startsWith("Arrow")) {
        event.preventDefault();
        selectCell({ table: first.table, row: 0, column: key });
      }
      return;
    }
    const edge = event.ctrlKey || event.metaKey;
    const arrows: Record<string, [number, number]> = {
      ArrowDown: [1, 0],
      ArrowUp: [-1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const arrow = arrows[event.key];
    if (arrow !== undefined) {
      event.preventDefault();
      move(current, arrow[0], arrow[1], edge);
    } else if (event.key === "Tab") {
      event.preventDefault();
      move(current, 0, event.shiftKey ? -1 : 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      move(current, event.shiftKey ? -1 : 1, 0);
    } else if (event.key === "PageDown" || event.key === "PageUp") {
      event.preventDefault();
      move(current, event.key === "PageDown" ? Infinity : -Infinity, 0);
    } else if (event.key === "Home") {
      event.preventDefault();
      if (edge) move({ ...current, row: 0 }, 0, -1, true);
      else move(current, 0, -1, true);
    } else if (event.key === "End" && edge) {
      event.preventDefault();
      move({ ...current, row: model.rowCount(current.table) - 1 }, 0, 1, true);
    } else if (event.key === "F2") {
      event.preventDefault();
      startEditing(current, "edit");
    } else if (event.key === "Delete") {
      event.preventDefault();
      if (!model.isEditable(current.table, current.column)) startEditing(current, "edit");
      else {
        const result = model.setUserValue(current, null);
        if (!result.ok) setMessage(result.message);
      }
    } else if (
      event.key === "Backspace" ||
      (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey)
    ) {
      event.preventDefault();
      startEditing(current, "enter", event.key === "Backspace" ? "" : event.key);
    }
  };

  const onEditorKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>): void => {
    const current = editingRef.current;
    if (current === null) return;
    if (event.key === "Enter") {
      event.preventDefault();
      commit({ dRow: event.shiftKey ? -1 : 1, dCol: 0 });
    } else if (event.key === "Tab") {
      event.preventDefault();
      commit({ dRow: 0, dCol: event.shiftKey ? -1 : 1 });
    } else if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    } else if (current.mode === "enter" && event.key.startsWith("Arrow")) {
      event.preventDefault();
      const arrows: Record<string, [number, number]> = {
        ArrowDown: [1, 0],
        ArrowUp: [-1, 0],
        ArrowLeft: [0, -1],
        ArrowRight: [0, 1],
      };
      const [dRow, dCol] = arrows[event.key] ?? [0, 0];
      commit({ dRow, dCol });
    }
  };

  const cellFromEvent = (event: ReactMouseEvent): CellAddress | null => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-cell]");
    return parseCellAttribute(target?.dataset.cell);
  };

  const onMouseDown = (event: ReactMouseEvent<HTMLDivElement>): void => {
    const address = cellFromEvent(event);
    if (address === null) return;
    if (editingRef.current !== null) commit(null);
    model.select(address);
    scrollerRef.current?.focus({ preventScroll: true });
  };

  const onDoubleClick = (event: ReactMouseEvent<HTMLDivElement>): void => {
    const address = cellFromEvent(event);
    if (address !== null) startEditing(address, "edit");
  };

  // ---- what is in sight ----------------------------------------------------

  const firstBodyRow = geo.frozen ? 1 : 0;
  const frozenHeight = LETTERS_H + (geo.frozen ? ROW_H : 0);
  const topRow = Math.max(firstBodyRow, scrollRow + Math.floor((frozenHeight - LETTERS_H) / ROW_H) - OVERSCAN);
  const bottomRow = Math.min(geo.rows - 1, scrollRow + Math.ceil(viewport.height / ROW_H) + OVERSCAN);
  const selectedPlace = selection === null ? null : placeOf(geo, selection);
  const frozenTable = geo.frozen ? geo.blocks[0]?.table : undefined;

  const body: ReactElement[] = [];
  for (let r = topRow; r <= bottomRow; r++) {
    body.push(
      <GridRow key={r} model={model} geo={geo} sheetRow={r} active={selectedPlace?.row === r} frozen={false} />,
    );
  }

  const selectedColumn = selectedPlace === null ? undefined : geo.columns[selectedPlace.col];
  const selectionBox: CSSProperties | null =
    selectedPlace === null || selectedColumn === undefined
      ? null
      : {
          left: selectedColumn.left - 1,
          top: LETTERS_H + selectedPlace.row * ROW_H - 1,
          width: selectedColumn.width + 1,
          height: ROW_H + 1,
        };
  const editingPlace = editing === null ? null : placeOf(geo, editing.address);
  const editingColumn = editingPlace === null ? undefined : geo.columns[editingPlace.col];

  const formula = selection === null || !model.hasTable(selection.table) ? null : formulaLine(model, geo, selection);
  const activeBlock = geo.blocks[0];

  return (
    <div className={mergeClasses(styles.root, className)} data-testid="workbook-view">
      <div className={styles.formulaBar}>
        <div className={styles.nameBox} data-testid="name-box">
          {formula?.address ?? ""}
        </div>
        <div className={styles.fx} aria-hidden="true">
          fx
        </div>
        <div className={styles.formulaValue} data-testid="formula-bar" title={formula?.raw ?? ""}>
          {formula?.raw ?? ""}
        </div>
        {formula !== null && (
          <div
            className={mergeClasses(styles.access, formula.editable && styles.accessEditable)}
            data-testid="cell-access"
          >
            {formula.editable ? <PencilIcon /> : <LockIcon />}
            {formula.editable ? "Editable" : "Read-only"}
          </div>
        )}
      </div>

      <div
        ref={scrollerRef}
        className={styles.scroller}
        tabIndex={0}
        role="grid"
        aria-label={activeSheet ?? "Workbook"}
        aria-rowcount={geo.rows}
        onScroll={onScroll}
        onKeyDown={onGridKeyDown}
        onMouseDown={onMouseDown}
        onDoubleClick={onDoubleClick}
        data-testid="grid"
      >
        <div className={styles.canvas} style={{ width: geo.width, height: LETTERS_H + geo.rows * ROW_H }}>
          <div className={styles.frozen} style={{ width: geo.width }}>
            <div className={styles.lettersLine} style={{ width: geo.width }}>
              <div className={styles.corner} style={{ width: ROW_NUMBER_W, height: LETTERS_H }} />
              {geo.columns.map((column, j) => (
                <div
                  key={j}
                  className={mergeClasses(styles.letter, selectedPlace?.col === j && styles.headingActive)}
                  style={{ width: column.width }}
                >
                  {column.letter}
                </div>
              ))}
            </div>
            {frozenTable !== undefined && <GridRow model={model} geo={geo} sheetRow={0} active={false} frozen />}
          </div>
          {body}
          {selectionBox !== null && editing === null && (
            <div className={styles.selection} style={selectionBox} data-testid="selection" />
          )}
          {editing !== null && editingPlace !== null && editingColumn !== undefined && (
            <input
              className={styles.editor}
              data-testid="cell-editor"
              autoFocus
              value={editing.text}
              onChange={(e) => {
                setEditing({ ...editing, text: e.target.value });
              }}
              onKeyDown={onEditorKeyDown}
              onBlur={() => {
                commit(null);
              }}
              onMouseDown={(e) => {
                e.stopPropagation();
              }}
              onDoubleClick={(e) => {
                e.stopPropagation();
              }}
              style={{
                left: editingColumn.left - 1,
                top: LETTERS_H + editingPlace.row * ROW_H - 1,
                width: Math.max(editingColumn.width + 2, 140),
                height: ROW_H + 2,
              }}
            />
          )}
          {geo.charts.map((box) => (
            <div
              key={box.chart.name}
              className={styles.chart}
              style={{ left: box.left, top: box.top, width: CHART_W, height: box.height }}
              data-chart={box.chart.name}
              onMouseDown={(e) => {
                e.stopPropagation();
              }}
            >
              <StackedChart
                chart={box.chart}
                data={model.chartData(box.chart.table, box.chart.name)}
                width={CHART_W}
                height={box.height}
              />
            </div>
          ))}
          {geo.blocks.length === 0 && (
            <div className={styles.empty}>This workbook is empty. Connect and pull from the task pane to fill it.</div>
          )}
        </div>
      </div>

      {message !== null && (
        <div className={styles.message} role="status" data-testid="workbook-message">
          {message}
        </div>
      )}

      <div className={styles.bottom}>
        <div className={styles.tabs} role="tablist" aria-label="Sheets">
          {(sheets.length === 0 ? ["Sheet1"] : sheets).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={name === (activeSheet ?? "Sheet1")}
              className={mergeClasses(styles.tab, name === (activeSheet ?? "Sheet1") && styles.tabActive)}
              data-sheet={name}
              onClick={() => {
                if (sheets.includes(name)) {
                  if (editingRef.current !== null) commit(null);
                  model.setActiveSheet(name);
                }
              }}
            >
              {name}
            </button>
          ))}
        </div>
        <div className={styles.status} data-testid="status">
          {activeBlock === undefined
            ? "Ready"
            : `${model.tableSpec(activeBlock.table).table}: ${activeBlock.rowCount.toLocaleString("en-US")} rows`}
        </div>
      </div>
    </div>
  );
}

interface GridRowProps {
  readonly model: WorkbookModel;
  /** A new geometry comes with every model change, so it also tells the row to redraw. */
  readonly geo: Geometry;
  readonly sheetRow: number;
  readonly active: boolean;
  /** Drawn in the frozen band at the top rather than at its scrolling position. */
  readonly frozen: boolean;
}

/** One sheet row; memoised, so scrolling redraws only the rows that came into sight. */
const GridRow = memo(function GridRow({ model, geo, sheetRow, active, frozen }: GridRowProps): ReactElement {
  const styles = useStyles();
  const slot = slotOf(geo, sheetRow);
  const tableColumns = slot.kind === "empty" ? [] : (geo.tableColumns.get(slot.table) ?? []);
  const theme = slot.kind === "header" ? model.theme(slot.table) : null;
  const cells = geo.columns.map((column, j) => {
    const tableColumn = tableColumns[j];
    const base: CSSProperties = { width: column.width };
    if (slot.kind === "header" && tableColumn !== undefined && theme !== null) {
      return (
        <div
          key={j}
          className={mergeClasses(styles.cell, styles.header)}
          style={{
            ...base,
            backgroundColor: theme.headerFill,
            color: theme.headerFont,
            borderRightColor: "rgba(255,255,255,0.35)",
          }}
          data-header={`${slot.table}:${tableColumn.spec.key}`}
          title={tableColumn.spec.header}
        >
          {tableColumn.spec.header}
          <span className={styles.filterButton} aria-hidden="true">
            ▼
          </span>
        </div>
      );
    }
    if (slot.kind === "data" && tableColumn !== undefined) {
      const key = tableColumn.spec.key;
      const cellStyle = model.cellStyle(slot.table, slot.row, key);
      const shown = model.display(slot.table, slot.row, key, cellStyle);
      return (
        <div
          key={j}
          className={cellStyle.note === null ? styles.cell : mergeClasses(styles.cell, styles.note)}
          style={{
            ...base,
            textAlign: shown.align,
            ...(cellStyle.fill === null ? {} : { backgroundColor: cellStyle.fill }),
            ...(shown.color !== null
              ? { color: shown.color }
              : cellStyle.fontColor === null
                ? {}
                : { color: cellStyle.fontColor }),
            ...(cellStyle.bold ? { fontWeight: 600 } : {}),
            ...(cellStyle.italic ? { fontStyle: "italic" } : {}),
          }}
          data-cell={`${slot.table}:${slot.row}:${key}`}
          data-editable={tableColumn.spec.editable ? "true" : undefined}
          title={cellStyle.note ?? undefined}
        >
          {shown.text}
        </div>
      );
    }
    return <div key={j} className={styles.cell} style={base} />;
  });
  return (
    <div
      className={frozen ? styles.line : styles.row}
      style={frozen ? { width: geo.width } : { top: LETTERS_H + sheetRow * ROW_H, width: geo.width }}
    >
      <div className={mergeClasses(styles.rowNumber, active && styles.rowNumberActive)} style={{ width: ROW_NUMBER_W }}>
        {sheetRow + 1}
      </div>
      {cells}
    </div>
  );
});

function LockIcon(): ReactElement {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" style={{ marginRight: 4 }}>
      <rect x="2" y="5.5" width="8" height="5.5" rx="1" fill="none" stroke="currentColor" />
      <path d="M4 5.5V4a2 2 0 0 1 4 0v1.5" fill="none" stroke="currentColor" />
    </svg>
  );
}

function PencilIcon(): ReactElement {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" style={{ marginRight: 4 }}>
      <path d="M2 10l.5-2.5L8 2l2 2-5.5 5.5z" fill="none" stroke="currentColor" strokeLinejoin="round" />
      <path d="M7 3l2 2" stroke="currentColor" />
    </svg>
  );
}

function formulaLine(
  model: WorkbookModel,
  geo: Geometry,
  selection: CellAddress,
): { address: string; raw: string; editable: boolean } | null {
  const place = placeOf(geo, selection);
  const column = model.visibleColumns(selection.table).find((c) => c.spec.key === selection.column);
  if (place === null || column === undefined) return null;
  return {
    address: `${column.letter}${place.row + 1}`,
    raw: model.editText(selection.table, selection.row, selection.column),
    editable: model.isEditable(selection.table, selection.column),
  };
}

/** Scrolls just enough that the cell is clear of the frozen header and the row numbers. */
function revealCell(scroller: HTMLElement, geo: Geometry, address: CellAddress): void {
  const place = placeOf(geo, address);
  const column = place === null ? undefined : geo.columns[place.col];
  if (place === null || column === undefined) return;
  const frozenHeight = LETTERS_H + (geo.frozen ? ROW_H : 0);
  const top = LETTERS_H + place.row * ROW_H;
  if (top - frozenHeight < scroller.scrollTop) scroller.scrollTop = top - frozenHeight;
  else if (top + ROW_H > scroller.scrollTop + scroller.clientHeight)
    scroller.scrollTop = top + ROW_H - scroller.clientHeight;
  const left = column.left;
  if (left - ROW_NUMBER_W < scroller.scrollLeft) scroller.scrollLeft = left - ROW_NUMBER_W;
  else if (left + column.width > scroller.scrollLeft + scroller.clientWidth)
    scroller.scrollLeft = left + column.width - scroller.clientWidth;
}

// ---------------------------------------------------------------------------
// Charts: a plain SVG stacked bar (or column) chart. Colours run from calm to
// alarming, so aging buckets read as severity. Too many categories would make
// bars unreadable, so the largest ones are drawn and the rest are counted.
// ---------------------------------------------------------------------------

const MAX_CHART_CATEGORIES = 12;
const SERIES_COLOURS = ["#4472C4", "#70AD47", "#FFC000", "#ED7D31", "#E04B4B", "#8B1A1A", "#7030A0", "#264478"];
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

function niceStep(span: number): number {
  if (span <= 0) return 1;
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
}

function StackedChart({
  chart,
  data,
  width,
  height,
}: {
  chart: PlacedChart;
  data: ChartData;
  width: number;
  height: number;
}): ReactElement {
  // Bar lengths are pixels: plain numbers are right here, nothing is added up for the books.
  const totals = data.categories.map((_, i) => data.series.reduce((sum, s) => sum + Math.abs(s.values[i] ?? 0), 0));
  let indexes = data.categories.map((_, i) => i);
  const truncated = indexes.length > MAX_CHART_CATEGORIES;
  if (truncated)
    indexes = [...indexes].sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0)).slice(0, MAX_CHART_CATEGORIES);
  let max = 0;
  let min = 0;
  for (const i of indexes) {
    let pos = 0;
    let neg = 0;
    for (const s of data.series) {
      const v = s.values[i] ?? 0;
      if (v >= 0) pos += v;
      else neg += v;
    }
    max = Math.max(max, pos);
    min = Math.min(min, neg);
  }
  const step = niceStep(max - min);
  const top = Math.ceil(max / step) * step || step;
  const bottom = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let t = bottom; t <= top + step / 2; t += step) ticks.push(t);

  const horizontal = chart.type !== "stackedColumn";
  const titleH = 28;
  const legendH = 22;
  const axisH = 20;
  const labelW = horizontal ? 150 : 0;
  const plot = {
    x: 12 + labelW,
    y: titleH + legendH + 6,
    w: width - 40 - labelW,
    h: height - titleH - legendH - 6 - axisH - (truncated ? 16 : 6),
  };
  const scale = (v: number): number => ((v - bottom) / (top - bottom)) * (horizontal ? plot.w : plot.h);
  const band = (horizontal ? plot.h : plot.w) / Math.max(1, indexes.length);
  const thickness = Math.min(18, band * 0.68);

  const legendItems: { name: string; colour: string; x: number }[] = [];
  const legendWidth = data.series.reduce((w, s) => w + 18 + s.name.length * 6.4 + 14, 0);
  let legendX = Math.max(12, (width - legendWidth) / 2);
  data.series.forEach((s, k) => {
    legendItems.push({ name: s.name, colour: SERIES_COLOURS[k % SERIES_COLOURS.length] ?? "#888888", x: legendX });
    legendX += 18 + s.name.length * 6.4 + 14;
  });

  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label={chart.title}
      style={{ display: "block", fontFamily: "inherit" }}
    >
      <text x={width / 2} y={20} textAnchor="middle" fontSize={14} fontWeight={600} fill="#333333">
        {chart.title}
      </text>
      {legendItems.map((item) => (
        <g key={item.name} transform={`translate(${item.x},${titleH + 4})`}>
          <rect width={10} height={10} y={1} fill={item.colour} />
          <text x={14} y={10} fontSize={11} fill="#555555">
            {item.name}
          </text>
        </g>
      ))}
      {ticks.map((t) => {
        const at = scale(t);
        return horizontal ? (
          <g key={t}>
            <line
              x1={plot.x + at}
              x2={plot.x + at}
              y1={plot.y}
              y2={plot.y + plot.h}
              stroke={t === 0 ? "#A0A0A0" : "#E6E6E6"}
            />
            <text x={plot.x + at} y={plot.y + plot.h + 14} textAnchor="middle" fontSize={10} fill="#666666">
              {compact.format(t)}
            </text>
          </g>
        ) : (
          <g key={t}>
            <line
              x1={plot.x}
              x2={plot.x + plot.w}
              y1={plot.y + plot.h - at}
              y2={plot.y + plot.h - at}
              stroke={t === 0 ? "#A0A0A0" : "#E6E6E6"}
            />
            <text x={plot.x - 4} y={plot.y + plot.h - at + 3} textAnchor="end" fontSize={10} fill="#666666">
              {compact.format(t)}
            </text>
          </g>
        );
      })}
      {indexes.map((i, slot) => {
        const centre = slot * band + band / 2;
        let pos = 0;
        let neg = 0;
        const name = data.categories[i] ?? "";
        return (
          <g key={i}>
            {horizontal && (
              <text x={plot.x - 6} y={plot.y + centre + 4} textAnchor="end" fontSize={11} fill="#444444">
                {name.length > 22 ? `${name.slice(0, 21)}…` : name}
              </text>
            )}
            {data.series.map((s, k) => {
              const v = s.values[i] ?? 0;
              if (v === 0) return null;
              const from = v > 0 ? pos : neg + v;
              if (v > 0) pos += v;
              else neg += v;
              const a = scale(from);
              const length = scale(from + Math.abs(v)) - a;
              const colour = SERIES_COLOURS[k % SERIES_COLOURS.length] ?? "#888888";
              const tip = `${name} — ${s.name}: ${formatCellValue(v, "#,##0.00;-#,##0.00").text}`;
              return horizontal ? (
                <rect
                  key={k}
                  x={plot.x + a}
                  y={plot.y + centre - thickness / 2}
                  width={Math.max(0.5, length)}
                  height={thickness}
                  fill={colour}
                >
                  <title>{tip}</title>
                </rect>
              ) : (
                <rect
                  key={k}
                  x={plot.x + centre - thickness / 2}
                  y={plot.y + plot.h - a - length}
                  width={thickness}
                  height={Math.max(0.5, length)}
                  fill={colour}
                >
                  <title>{tip}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      {truncated && (
        <text x={width - 12} y={height - 6} textAnchor="end" fontSize={10} fill="#777777">
          {`Largest ${MAX_CHART_CATEGORIES} of ${data.categories.length.toLocaleString("en-US")}`}
        </text>
      )}
    </svg>
  );
}
