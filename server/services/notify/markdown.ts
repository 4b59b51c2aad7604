import "server-only";
import type { Nodes } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

/**
 * A deliverable (markdown, GFM) as the body of an HTML email. micromark's defaults keep it safe
 * to mail: raw HTML in the markdown is shown as text, and links with a dangerous protocol
 * (`javascript:`) lose their URL.
 */
export function markdownEmailHtml(markdown: string): string {
  const body = micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  return `<!doctype html><html><body style="font-family: system-ui, sans-serif; line-height: 1.5">${body}</body></html>`;
}

/** Slack's mrkdwn needs these three escaped; everything else is shown as written. */
export const escapeMrkdwn = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/**
 * Only web and mail links become Slack links: `<!channel>`, `<@U123>` and the like are mentions,
 * and a deliverable (model output, steered by inputs) must not ping a workspace.
 */
const isWebLink = (url: string) => /^(https?:|mailto:)/i.test(url);

/** A link's URL inside `<url|label>`: Slack ends it at `|` or `>`. */
const linkUrl = (url: string) => url.replaceAll("|", "%7C").replaceAll(">", "%3E");

const indent = (text: string, prefix: string) =>
  text
    .split("\n")
    .map((line) => (line ? prefix + line : line))
    .join("\n");

function mrkdwnOf(node: Nodes, depth = 0): string {
  const children = (nodes: Nodes[], separator = "") =>
    nodes.map((child) => mrkdwnOf(child, depth)).join(separator);
  switch (node.type) {
    case "root":
      return children(node.children, "\n\n");
    case "heading":
    case "strong":
      return `*${children(node.children)}*`;
    case "emphasis":
      return `_${children(node.children)}_`;
    case "delete":
      return `~${children(node.children)}~`;
    case "paragraph":
    case "tableCell":
      return children(node.children);
    case "text":
    case "html":
      return escapeMrkdwn(node.value);
    case "inlineCode":
      return `\`${escapeMrkdwn(node.value)}\``;
    case "code":
      return `\`\`\`\n${escapeMrkdwn(node.value)}\n\`\`\``;
    case "break":
      return "\n";
    case "thematicBreak":
      return "———";
    case "link": {
      const label = children(node.children);
      if (!isWebLink(node.url)) return label || escapeMrkdwn(node.url);
      return label && label !== escapeMrkdwn(node.url)
        ? `<${linkUrl(node.url)}|${label}>`
        : `<${linkUrl(node.url)}>`;
    }
    case "image":
      if (!isWebLink(node.url)) return escapeMrkdwn(node.alt ?? "");
      return node.alt
        ? `<${linkUrl(node.url)}|${escapeMrkdwn(node.alt)}>`
        : `<${linkUrl(node.url)}>`;
    case "blockquote":
      return indent(children(node.children, "\n"), "> ");
    case "list":
      return node.children
        .map((item, index) => {
          const marker = node.ordered ? `${(node.start ?? 1) + index}. ` : "• ";
          const body = item.children.map((child) => mrkdwnOf(child, depth + 1)).join("\n");
          const [first = "", ...rest] = body.split("\n");
          const checked = item.checked === true ? "☑ " : item.checked === false ? "☐ " : "";
          return [`${"    ".repeat(depth)}${marker}${checked}${first}`, ...rest].join("\n");
        })
        .join("\n");
    case "table":
      return node.children.map((row) => children(row.children, " | ")).join("\n");
    case "tableRow":
      return children(node.children, " | ");
    default:
      return "children" in node ? children(node.children) : "";
  }
}

/**
 * A deliverable as Slack mrkdwn: headings and bold as `*bold*`, emphasis `_it_`, links
 * `<url|text>`, lists with bullets, code as code; the text escaped as Slack asks.
 */
export function markdownToMrkdwn(markdown: string): string {
  const tree = fromMarkdown(markdown, {
    extensions: [gfm()],
    mdastExtensions: [gfmFromMarkdown()],
  });
  return mrkdwnOf(tree);
}
