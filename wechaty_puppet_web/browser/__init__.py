"""Browser side: launcher, bridge, session store."""
