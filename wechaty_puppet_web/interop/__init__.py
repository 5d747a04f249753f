"""What the Puppet Service and the python-wechaty adapter share: one table per translation.

* :mod:`.enums`: message-type numbers (Wechaty's TypeScript values, which this project and the
  Puppet Service wire use, against the gRPC enum values python-wechaty uses in process).
* :mod:`.wire_events`: PuppetWeb events as Wechaty's event payloads (camelCase JSON).
* :mod:`.filebox_json`: Wechaty's serialised FileBox (JSON) to and from our FileBox.

Nothing here imports gRPC or python-wechaty, so both sides can use it.
"""
