// The defer suite with checkpointing off: defer ops arrive in 206 responses, not checkpoints.
import "./mode";
import "../defer.test";
