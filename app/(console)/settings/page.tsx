import type { Metadata } from "next";
import { ArrivesWith } from "@/components/shell/arrives-with";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return <ArrivesWith title="Settings" arrivesWith="roles, members and the audit log" />;
}
