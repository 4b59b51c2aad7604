// The checkpoint suite's mode-independent part with checkpointing off (the request ids).
import "./mode";
import "../checkpoint.test";
