// The throttle suite with checkpointing off: one step per SDK request, the engine's original mode.
import "./mode";
import "../flow-throttle.test";
