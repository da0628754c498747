//! Analysis over the whole archive: related incidents, repeats, cause suggestions, trends.
