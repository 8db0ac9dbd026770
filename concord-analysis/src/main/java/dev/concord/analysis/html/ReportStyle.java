package dev.concord.analysis.html;

/** The stylesheet every Concord HTML report inlines (one look across the analysis and evaluation reports). */
final class ReportStyle {
    private ReportStyle() {}

    static final String CSS = String.join("\n",
            "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px 32px;color:#222;background:#fafafa}",
            "h1{margin:0 0 4px 0;font-size:26px}h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #ddd}",
            "h3{font-size:15px;margin:14px 0 6px}.sub{color:#666;margin:0}",
            "section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:8px 18px 14px;margin:14px 0}",
            ".row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}",
            ".badges{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0}",
            ".badge{padding:4px 12px;border-radius:12px;background:#eee;font-weight:600;white-space:nowrap}",
            ".badge.held-out{background:#263238;color:#fff}",
            ".verdict-compatible .verdict{background:#2e7d32;color:#fff}",
            ".verdict-caution .verdict{background:#ef8f00;color:#fff}",
            ".verdict-conflict .verdict{background:#c62828;color:#fff}",
            ".warnings{background:#fff6e0;border-left:4px solid #ef8f00;padding:2px 12px;margin:8px 0}",
            ".note{color:#555;font-size:13px}.ci{color:#777;font-size:12px}",
            "table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;text-align:right}",
            "th:first-child,td:first-child,.pairs td:nth-child(2),.pairs th:nth-child(2){text-align:left}",
            "table.data thead th{border-bottom:2px solid #bbb}table.data td{border-bottom:1px solid #eee}",
            "table.kv th{text-align:left;font-weight:normal;color:#555}",
            "tr.verdict-conflict td:first-child{border-left:4px solid #c62828}",
            "tr.verdict-caution td:first-child{border-left:4px solid #ef8f00}",
            "svg text{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif}",
            ".chart-title{font-size:14px;font-weight:600}.axis-label{font-size:10px;fill:#444}",
            ".axis-title{font-size:12px;fill:#333}.legend{font-size:11px}",
            ".grid{stroke:#eee}.reference{stroke:#333;stroke-dasharray:4 3}",
            "footer{color:#888;font-size:12px;margin-top:24px}",
            "tr.recommended td{background:#eef7ee;font-weight:600}.collapse{color:#c62828}.holds{color:#2e7d32}");
}
