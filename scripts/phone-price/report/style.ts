/** The report's whole stylesheet, inlined so that the page needs nothing but itself. */
export const REPORT_CSS = `
body { margin: 0; background: #f3f4f6; color: #111827; font: 14px/1.45 system-ui, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 10px; }
p { margin: 0 0 10px; }
.source { color: #4b5563; font-size: 12px; overflow-wrap: anywhere; }
section { background: white; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px; margin-top: 16px; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; }
.stat { flex: 1 1 120px; border-left: 4px solid #2563eb; padding: 4px 12px; }
.stat .value { display: block; font-size: 24px; font-weight: 600; }
.stat .name { color: #4b5563; font-size: 12px; }
.pair { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
th { font-weight: 600; }
.recipe th { text-align: left; color: #4b5563; font-weight: normal; }
.recipe td { text-align: left; padding-right: 24px; }
.per-class td:first-child, .per-class th:first-child { text-align: left; }
.per-class tfoot th, .per-class tfoot td { border-top: 2px solid #9ca3af; font-weight: 600; }
svg { display: block; max-width: 100%; height: auto; }
#curves svg { width: 100%; }
`;
