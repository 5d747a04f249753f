"""Sub-commands of ``wechaty-web`` that drive a PuppetWeb."""
