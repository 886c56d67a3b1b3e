"""The calendar in the app: group sessions, appointments, availability, week views."""
