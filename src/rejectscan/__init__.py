"""rejectscan: who rejected your freelancer profile, the platform's bots or its support team?"""

__version__ = "0.1.0"
