//! The one place that touches the YAML library (serde_yaml is archived upstream; swapping
//! it means changing only this module).
