"""Web plumbing shared by the feature blueprints: security headers, errors, access rules."""
