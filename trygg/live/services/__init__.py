"""The live picture's services: one module per concern (``alerts``, ``zone``, ``brief``,
``followup``, ``digest``, ``following``)."""
