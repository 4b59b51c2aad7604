import {
  BookOpen,
  BellRing,
  Bot,
  CalendarClock,
  Hand,
  History,
  KeyRound,
  LayoutDashboard,
  LayoutTemplate,
  type LucideIcon,
  Plug,
  ScrollText,
  Settings,
  ShieldCheck,
  Sparkles,
  SquareTerminal,
  Users,
  Webhook,
} from "lucide-react";

export type NavLink<Href extends string = string> = {
  href: Href;
  label: string;
  icon: LucideIcon;
};

export type NavItem = NavLink<
  | "/"
  | "/skills"
  | "/runs"
  | "/approvals"
  | "/schedules"
  | "/agents"
  | "/webhooks"
  | "/alerts"
  | "/settings"
> & {
  children?: NavLink<
    | "/agents/templates"
    | "/agents/guardrails"
    | "/agents/mcp-servers"
    | "/agents/knowledge"
    | "/settings#members"
    | "/settings#api-keys"
    | "/settings/audit"
    | "/settings/api"
  >[];
};

export type NavHref = NavItem["href"] | NonNullable<NavItem["children"]>[number]["href"];

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Dashboard", icon: LayoutDashboard },
  { href: "/skills", label: "Skills", icon: Sparkles },
  { href: "/runs", label: "Runs", icon: History },
  { href: "/approvals", label: "Approvals", icon: Hand },
  { href: "/schedules", label: "Schedules", icon: CalendarClock },
  {
    href: "/agents",
    label: "Agents",
    icon: Bot,
    children: [
      { href: "/agents/templates", label: "Templates", icon: LayoutTemplate },
      { href: "/agents/guardrails", label: "Guardrails", icon: ShieldCheck },
      { href: "/agents/mcp-servers", label: "MCP servers", icon: Plug },
      { href: "/agents/knowledge", label: "Knowledge bases", icon: BookOpen },
    ],
  },
  { href: "/webhooks", label: "Webhooks", icon: Webhook },
  { href: "/alerts", label: "Alerts", icon: BellRing },
  {
    href: "/settings",
    label: "Settings",
    icon: Settings,
    children: [
      { href: "/settings#members", label: "Members", icon: Users },
      { href: "/settings#api-keys", label: "API keys", icon: KeyRound },
      { href: "/settings/audit", label: "Audit log", icon: ScrollText },
      { href: "/settings/api", label: "API reference", icon: SquareTerminal },
    ],
  },
];

const within = (pathname: string, href: string) =>
  pathname === href || pathname.startsWith(`${href}/`);

/**
 * The one nav link that names the page shown: the deepest match, so the audit log marks
 * "Audit log" and not "Settings" as well. Section links (`#…`) never do: they share a page.
 */
export function currentNavHref(pathname: string): string | null {
  const links = NAV_ITEMS.flatMap((item) => [item, ...(item.children ?? [])]).filter(
    (link) => !link.href.includes("#") && within(pathname, link.href),
  );
  return links.sort((first, second) => second.href.length - first.href.length)[0]?.href ?? null;
}
