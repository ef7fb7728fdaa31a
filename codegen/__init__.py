"""dmpkit's code generator: fetches the pinned public specs and generates ``generated/``.

Run it as ``python -m codegen {fetch,manifest,regen,check,diff}``. It builds; the
runtime (``src/dmpkit``) never imports it, and it never imports the runtime.
"""
