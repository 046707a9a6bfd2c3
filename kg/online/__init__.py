"""Optional online features: papers fetched by identifier, references completed, cited studies followed, PubTator3
compared, OLS4 candidates. Offline is the default; nothing here is imported unless ``--online`` (or ``kg compare``,
``kg resolve --online``) asks for it, and every request goes through :mod:`kg.online.client`.
"""
