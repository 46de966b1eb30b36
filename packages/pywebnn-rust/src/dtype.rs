//! WebNN data types and how this backend stores them in libtorch tensors.
//!
//! tch 0.26 has no `Kind` for uint32/uint64 and libtorch 2.13 on the CPU lacks most
//! kernels for them anyway, so (mirroring the torch backend's emulation):
//!
//! * uint32 is *stored* as int64 holding the value (0..2^32-1): exact, and every int64
//!   kernel works on it; results are wrapped back with `& 0xFFFF_FFFF`.
//! * uint64 is stored as the int64 bit pattern: add/sub/mul and data movement are exact
//!   (two's complement wraps the same way); order-sensitive ops flip the sign bit first
//!   (`ops::unsigned_key`) and division has a dedicated kernel.
//! * float16 is stored as half and computed in float32, rounded once per op.
//! * int4/uint4, the PyWebNN extension types (quantize_linear's zero point and output,
//!   dequantize_linear's input and zero point only), are held unpacked, one value per
//!   byte, in int8/uint8 storage (values -8..7 / 0..15), exactly as numpy holds them.

use serde::Deserialize;
use tch::{Kind, Tensor};

use crate::error::Result;

/// One of the eight WebNN operand data types, or one of the two PyWebNN extension types
/// (`Int4`, `Uint4`: see `EXTENSION_4BIT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    Float32,
    Float16,
    Int32,
    Uint32,
    Int64,
    Uint64,
    Int8,
    Uint8,
    Int4,
    Uint4,
}

impl DataType {
    /// The spec's eight data types, in the spec's order (no extension type).
    pub const ALL: [DataType; 8] = [
        DataType::Float32,
        DataType::Float16,
        DataType::Int32,
        DataType::Uint32,
        DataType::Int64,
        DataType::Uint64,
        DataType::Int8,
        DataType::Uint8,
    ];
    /// The PyWebNN extension types, stored unpacked in int8/uint8.
    pub const EXTENSION_4BIT: [DataType; 2] = [DataType::Int4, DataType::Uint4];
    /// The spec's eight types followed by the extension types.
    pub const ALL_WITH_4BIT: [DataType; 10] = [
        DataType::Float32,
        DataType::Float16,
        DataType::Int32,
        DataType::Uint32,
        DataType::Int64,
        DataType::Uint64,
        DataType::Int8,
        DataType::Uint8,
        DataType::Int4,
        DataType::Uint4,
    ];
    /// The floating-point types.
    pub const FLOATS: [DataType; 2] = [DataType::Float32, DataType::Float16];

    /// The spec's name (`"float32"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DataType::Float32 => "float32",
            DataType::Float16 => "float16",
            DataType::Int32 => "int32",
            DataType::Uint32 => "uint32",
            DataType::Int64 => "int64",
            DataType::Uint64 => "uint64",
            DataType::Int8 => "int8",
            DataType::Uint8 => "uint8",
            DataType::Int4 => "int4",
            DataType::Uint4 => "uint4",
        }
    }

    /// Parses a name: the spec's eight or an extension type's.
    pub fn from_name(name: &str) -> Option<DataType> {
        DataType::ALL_WITH_4BIT
            .into_iter()
            .find(|d| d.name() == name)
    }

    /// True for the PyWebNN extension types (int4, uint4).
    pub fn is_extension(self) -> bool {
        matches!(self, DataType::Int4 | DataType::Uint4)
    }

    /// Bytes per element in host (numpy) memory (int4/uint4: one byte, unpacked).
    pub fn item_size(self) -> usize {
        match self {
            DataType::Int8 | DataType::Uint8 | DataType::Int4 | DataType::Uint4 => 1,
            DataType::Float16 => 2,
            DataType::Float32 | DataType::Int32 | DataType::Uint32 => 4,
            DataType::Int64 | DataType::Uint64 => 8,
        }
    }

    /// The kind whose bytes equal the host representation (uint32 as int32 bits).
    pub fn host_kind(self) -> Kind {
        match self {
            DataType::Uint32 => Kind::Int,
            other => other.storage_kind(),
        }
    }

    /// The kind of the tensors this backend keeps for operands of this type.
    pub fn storage_kind(self) -> Kind {
        match self {
            DataType::Float32 => Kind::Float,
            DataType::Float16 => Kind::Half,
            DataType::Int32 => Kind::Int,
            DataType::Uint32 | DataType::Int64 | DataType::Uint64 => Kind::Int64,
            DataType::Int8 | DataType::Int4 => Kind::Int8,
            DataType::Uint8 | DataType::Uint4 => Kind::Uint8,
        }
    }

    /// The kind kernels compute in (float16 -> float32).
    pub fn work_kind(self) -> Kind {
        match self {
            DataType::Float16 => Kind::Float,
            other => other.storage_kind(),
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DataType::Float32 | DataType::Float16)
    }

    pub fn is_unsigned(self) -> bool {
        matches!(
            self,
            DataType::Uint4 | DataType::Uint8 | DataType::Uint32 | DataType::Uint64
        )
    }

    /// Smallest and largest value as i64 (uint64's maximum does not fit: None).
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            DataType::Int4 => Some((-8, 7)),
            DataType::Uint4 => Some((0, 15)),
            DataType::Int8 => Some((i64::from(i8::MIN), i64::from(i8::MAX))),
            DataType::Uint8 => Some((0, i64::from(u8::MAX))),
            DataType::Int32 => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            DataType::Uint32 => Some((0, i64::from(u32::MAX))),
            DataType::Int64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }

    /// A tensor holding host bytes (kind `host_kind`) -> storage representation.
    pub fn from_host(self, t: Tensor) -> Result<Tensor> {
        Ok(match self {
            DataType::Uint32 => t.f_to_kind(Kind::Int64)?.f_bitwise_and(0xFFFF_FFFF_i64)?,
            _ => t,
        })
    }

    /// Storage representation -> a tensor whose bytes are the host representation.
    pub fn to_host(self, t: &Tensor) -> Result<Tensor> {
        Ok(match self {
            // Values are 0..2^32-1, so the int32 conversion keeps exactly the low 32 bits.
            DataType::Uint32 => t.f_to_kind(Kind::Int)?,
            _ => t.shallow_clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in DataType::ALL {
            assert_eq!(DataType::from_name(d.name()), Some(d));
        }
        assert_eq!(DataType::from_name("bool"), None);
        assert_eq!(DataType::from_name("int2"), None);
    }

    #[test]
    fn four_bit_types() {
        for (name, d, kind, range, unsigned) in [
            ("int4", DataType::Int4, Kind::Int8, (-8, 7), false),
            ("uint4", DataType::Uint4, Kind::Uint8, (0, 15), true),
        ] {
            assert_eq!(DataType::from_name(name), Some(d));
            assert_eq!(d.name(), name);
            assert!(d.is_extension());
            assert!(
                !DataType::ALL.contains(&d),
                "{name} is not one of the spec's types"
            );
            assert!(DataType::ALL_WITH_4BIT.contains(&d));
            assert_eq!(d.item_size(), 1);
            assert_eq!(d.storage_kind(), kind);
            assert_eq!(d.host_kind(), kind);
            assert_eq!(d.work_kind(), kind);
            assert_eq!(d.int_range(), Some(range));
            assert_eq!(d.is_unsigned(), unsigned);
            assert!(!d.is_float());
            // The IR's JSON spelling.
            let parsed: DataType = serde_json::from_str(&format!("{name:?}")).unwrap();
            assert_eq!(parsed, d);
        }
        assert!(DataType::ALL.iter().all(|d| !d.is_extension()));
        assert_eq!(&DataType::ALL_WITH_4BIT[..8], &DataType::ALL);
        assert_eq!(&DataType::ALL_WITH_4BIT[8..], &DataType::EXTENSION_4BIT);
    }

    #[test]
    fn four_bit_host_bytes_are_one_per_value() -> Result<()> {
        // int4 -8..7 arrive as int8 bytes and leave unchanged.
        let host = Tensor::f_from_slice(&[-8_i8, -1, 0, 7])?;
        let stored = DataType::Int4.from_host(host)?;
        assert_eq!(stored.f_kind()?, Kind::Int8);
        let back = DataType::Int4.to_host(&stored)?;
        let mut vals = [0_i8; 4];
        back.f_copy_data(&mut vals, 4)?;
        assert_eq!(vals, [-8, -1, 0, 7]);
        Ok(())
    }

    #[test]
    fn uint32_host_round_trip() -> Result<()> {
        let host = Tensor::f_from_slice(&[-1_i32, 7, i32::MIN])?;
        let stored = DataType::Uint32.from_host(host)?;
        let mut vals = [0_i64; 3];
        stored.f_copy_data(&mut vals, 3)?;
        assert_eq!(vals, [4_294_967_295, 7, 2_147_483_648]);
        let back = DataType::Uint32.to_host(&stored)?;
        let mut raw = [0_i32; 3];
        back.f_copy_data(&mut raw, 3)?;
        assert_eq!(raw, [-1, 7, i32::MIN]);
        Ok(())
    }
}
