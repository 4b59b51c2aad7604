import {
  Bot,
  CalendarClock,
  History,
  type LucideIcon,
  Settings,
  Sparkles,
  Webhook,
} from "lucide-react";

export type NavItem = {
  href: "/skills" | "/runs" | "/schedules" | "/agents" | "/webhooks" | "/settings";
  label: string;
  icon: LucideIcon;
};

export const NAV_ITEMS: NavItem[] = [
  { href: "/skills", label: "Skills", icon: Sparkles },
  { href: "/runs", label: "Runs", icon: History },
  { href: "/schedules", label: "Schedules", icon: CalendarClock },
  { href: "/agents", label: "Agents", icon: Bot },
  { href: "/webhooks", label: "Webhooks", icon: Webhook },
  { href: "/settings", label: "Settings", icon: Settings },
];
