// The output-limits suite with checkpointing off: one step per SDK request, the engine's original mode.
import "./mode";
import "../output-limits.test";
