package dev.kvcache.jobs.report;

import java.util.Base64;
import java.util.List;

/**
 * Builds the report as Markdown and as a self-contained HTML page at once, block by block, so the
 * two always contain the same content. Text may use {@code `code`} and {@code **bold**}, which both
 * renderings keep. Everything else is escaped for HTML.
 */
final class ReportDocument {
    private final StringBuilder markdown = new StringBuilder();
    private final StringBuilder html = new StringBuilder();

    ReportDocument(String title) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .append(escape(title)).append("</title>\n<style>\n")
            .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n")
            .append("table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n")
            .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}\n")
            .append("td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
            .append("th{background:#f2f2f2}\nimg{max-width:100%;border:1px solid #ddd}\n")
            .append("pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}\ncode{background:#f6f6f6;padding:0 0.2em}\n")
            .append("</style>\n</head>\n<body>\n");
        heading(1, title);
    }

    void heading(int level, String text) {
        markdown.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        html.append("<h").append(level).append(" id=\"").append(anchor(text)).append("\">").append(inline(text))
            .append("</h").append(level).append(">\n");
    }

    /** Returns the anchor of a heading as Markdown renderers make it: lower case, words joined by hyphens. */
    static String anchor(String text) {
        return text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 -]", "").trim().replace(' ', '-');
    }

    void paragraph(String text) {
        markdown.append(text).append("\n\n");
        html.append("<p>").append(inline(text)).append("</p>\n");
    }

    void bullets(List<String> items) {
        html.append("<ul>\n");
        for (String item : items) {
            markdown.append("- ").append(item).append('\n');
            html.append("<li>").append(inline(item)).append("</li>\n");
        }
        markdown.append('\n');
        html.append("</ul>\n");
    }

    /** Adds a table; a column whose header ends with a space is right-aligned (numbers). */
    void table(List<String> header, List<List<String>> rows) {
        markdown.append('|');
        for (String column : header) {
            markdown.append(' ').append(column.strip()).append(" |");
        }
        markdown.append("\n|");
        for (String column : header) {
            markdown.append(column.endsWith(" ") ? "---:|" : "---|");
        }
        markdown.append('\n');
        html.append("<table>\n<tr>");
        for (String column : header) {
            html.append("<th>").append(inline(column.strip())).append("</th>");
        }
        html.append("</tr>\n");
        for (List<String> row : rows) {
            markdown.append('|');
            html.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                markdown.append(' ').append(row.get(c).replace("|", "\\|")).append(" |");
                html.append(header.get(c).endsWith(" ") ? "<td class=\"num\">" : "<td>").append(inline(row.get(c)))
                    .append("</td>");
            }
            markdown.append('\n');
            html.append("</tr>\n");
        }
        markdown.append('\n');
        html.append("</table>\n");
    }

    /** Adds a PNG image: a link to {@code path} in Markdown, embedded bytes in HTML. */
    void image(String path, String alt, byte[] png) {
        markdown.append("![").append(alt).append("](").append(path).append(")\n\n");
        html.append("<p><img alt=\"").append(escape(alt)).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(png)).append("\"></p>\n");
    }

    void code(String text) {
        markdown.append("```\n").append(text.strip()).append("\n```\n\n");
        html.append("<pre>").append(escape(text.strip())).append("</pre>\n");
    }

    String markdown() {
        return markdown.toString();
    }

    String html() {
        return html + "</body>\n</html>\n";
    }

    /** Escapes {@code text} for HTML and renders its {@code `code`} and {@code **bold**} spans. */
    static String inline(String text) {
        StringBuilder out = new StringBuilder();
        boolean code = false;
        boolean bold = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!code && c == '[' && text.indexOf("](", i) > i && text.indexOf(')', text.indexOf("](", i)) > 0) {
                int close = text.indexOf("](", i);
                int end = text.indexOf(')', close);
                out.append("<a href=\"").append(escape(text.substring(close + 2, end))).append("\">")
                    .append(escape(text.substring(i + 1, close))).append("</a>");
                i = end;
            } else if (c == '`') {
                out.append(code ? "</code>" : "<code>");
                code = !code;
            } else if (!code && c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                out.append(bold ? "</strong>" : "<strong>");
                bold = !bold;
                i++;
            } else {
                out.append(escape(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
