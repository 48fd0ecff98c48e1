import XCTest
import WXCore
import WXIO

/// CF masking and unpacking rules, case by case (netCDF4-python's behaviour is the reference).
final class CFDecodingTests: XCTestCase {
    func decode<R>(_ raw: [R], _ d: CFDecoding) -> [Double] {
        var out = [Double](repeating: 0, count: raw.count)
        raw.withUnsafeBytes { r in out.withUnsafeMutableBufferPointer { d.decode(raw: r.baseAddress!, count: raw.count, into: $0.baseAddress!) } }
        return out
    }

    func assertSame(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertTrue(x == y || (x.isNaN && y.isNaN), "\(a) vs \(b)", file: file, line: line) }
    }

    func testNaNFillOnShortIsIgnoredAndDefaultFillMasks() {
        // eraint_uvz.nc: short z with _FillValue = NaN (double), negative scale_factor.
        let d = CFDecoding(dataType: .int16, attributes: ["_FillValue": .doubles([.nan]), "scale_factor": .doubles([-1.7250274674968]),
                                                           "add_offset": .doubles([66825.5])], netCDFDefaultFill: true)
        XCTAssertEqual(d.ignoredAttributes, ["_FillValue"])
        XCTAssertFalse(d.maskNaN)
        XCTAssertEqual(d.maskValues, [-32767])
        let raw: [Int16] = [0, 100, -32767, -32768, 32767]
        assertSame(decode(raw, d), [66825.5, 100 * -1.7250274674968 + 66825.5, .nan,
                                    -32768 * -1.7250274674968 + 66825.5, 32767 * -1.7250274674968 + 66825.5])
    }

    func testFillMissingAndValidRangeInPackedType() {
        let d = CFDecoding(dataType: .int16, attributes: ["_FillValue": .integers([-999]), "missing_value": .integers([-998, -997]),
                                                           "valid_range": .integers([-100, 100]), "scale_factor": .doubles([0.5])],
                           netCDFDefaultFill: true)
        let raw: [Int16] = [-999, -998, -997, -101, -100, 0, 100, 101, -32767]
        // -32767 is below valid_min; the default fill is not used when _FillValue is usable.
        assertSame(decode(raw, d), [.nan, .nan, .nan, .nan, -50, 0, 50, .nan, .nan])
        XCTAssertFalse(d.maskValues.contains(-32767))
    }

    func testValidMinMaxWithoutRange() {
        let d = CFDecoding(dataType: .float32, attributes: ["valid_min": .doubles([0]), "valid_max": .doubles([10])], netCDFDefaultFill: false)
        assertSame(decode([Float(-1), 0, 5, 10, 11, .nan], d), [.nan, 0, 5, 10, .nan, .nan])
    }

    func testFloatToFloatMaskingEqualsDoublePath() {
        // The Float output path for float32 data compares in Float; it must agree with the Double path.
        let fill = Double(Float(9.9692099683868690e+36))
        let cases: [CFDecoding] = [
            CFDecoding(dataType: .float32, attributes: [:], netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["_FillValue": .doubles([-999]), "missing_value": .doubles([1e20, -1, 7, 8])],
                       netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["valid_range": .doubles([-50, 50]), "_FillValue": .doubles([.nan])],
                       netCDFDefaultFill: true),
        ]
        let raw: [Float] = [Float(fill), -999, 1e20, -1, 7, 8, 0, 49.5, 50.5, -60, .nan, .infinity, 3.25]
        for d in cases {
            var f = [Float](repeating: 0, count: raw.count)
            raw.withUnsafeBytes { r in f.withUnsafeMutableBufferPointer { d.decode(raw: r.baseAddress!, count: raw.count, into: $0.baseAddress!) } }
            assertSame(f.map(Double.init), decode(raw, d))
        }
        XCTAssertTrue(decode(raw, cases[0])[0].isNaN) // netCDF default fill masks float data without _FillValue
    }

    func testFloat32ToDoubleEqualsPlainRuleBitForBit() {
        // The float32 -> Double path compares in Float without branches; the plain rule compares each value in Double.
        func reference(_ x: Float, _ d: CFDecoding) -> Double {
            let v = Double(x)
            let missing = (d.maskNaN && v.isNaN) || v < (d.validMin ?? -.infinity) || v > (d.validMax ?? .infinity) || d.maskValues.contains(v)
            return missing ? .nan : v
        }
        let fill = Double(Float(9.9692099683868690e+36))
        let payloadNaN = Float(bitPattern: 0x7fc0_1234)
        let raw: [Float] = [Float(fill), -999, 1e20, -1, 7, 8, 0, 49.5, 50.5, -50, 50, -60, .nan, payloadNaN, .infinity, -.infinity,
                            3.25, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let cases: [CFDecoding] = [
            CFDecoding(dataType: .float32, attributes: [:], netCDFDefaultFill: false),
            CFDecoding(dataType: .float32, attributes: [:], netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["_FillValue": .doubles([.nan])], netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["_FillValue": .doubles([-999]), "missing_value": .doubles([1e20, -1, 7, 8])],
                       netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["valid_range": .doubles([-50, 50]), "_FillValue": .doubles([.nan])],
                       netCDFDefaultFill: true),
            CFDecoding(dataType: .float32, attributes: ["valid_min": .doubles([0])], netCDFDefaultFill: false),
        ]
        for (k, d) in cases.enumerated() {
            let out = decode(raw, d)
            for (i, x) in raw.enumerated() {
                XCTAssertEqual(out[i].bitPattern, reference(x, d).bitPattern, "case \(k), value \(x)")
            }
        }
    }

    func testAttributesThatDoNotCastAreIgnored() {
        // 1e15 is not exactly a float32 value... but 1e15 stored as float32 (a float attribute) is.
        let exact = Double(Float(1e15))
        let a = CFDecoding(dataType: .float32, attributes: ["missing_value": .doubles([exact])], netCDFDefaultFill: false)
        XCTAssertEqual(a.maskValues, [exact])
        let b = CFDecoding(dataType: .float32, attributes: ["missing_value": .doubles([1e15])], netCDFDefaultFill: false)
        XCTAssertEqual(b.ignoredAttributes, ["missing_value"])
        let c = CFDecoding(dataType: .uint8, attributes: ["_FillValue": .integers([300])], netCDFDefaultFill: true)
        XCTAssertEqual(c.ignoredAttributes, ["_FillValue"])
        XCTAssertEqual(c.maskValues, [255])
        let off = CFDecoding(dataType: .uint8, attributes: [:], netCDFDefaultFill: true, fillModeOff: true)
        XCTAssertTrue(off.maskValues.isEmpty) // no default fill for bytes with fill mode off
    }

    func testUnsignedConvention() {
        let d = CFDecoding(dataType: .int8, attributes: ["_Unsigned": .string("true"), "_FillValue": .integers([-1]),
                                                          "scale_factor": .doubles([2])], netCDFDefaultFill: true)
        XCTAssertEqual(d.storedType, .uint8)
        assertSame(decode([Int8(-1), -2, 5], d), [.nan, 508, 10]) // -1 -> 255 is the fill; -2 -> 254
    }

    func testFloat32UnpackingMatchesNumpyFloat32() {
        let d = CFDecoding(dataType: .int16, attributes: ["scale_factor": .doubles([Double(Float(0.075))]), "add_offset": .doubles([264])],
                           netCDFDefaultFill: true, float32Attributes: ["scale_factor", "add_offset"])
        XCTAssertTrue(d.unpackInFloat32)
        let out = decode([Int16(117), 4000], d)
        XCTAssertEqual(out[0], Double(Float(117) * Float(0.075) + Float(264)))
        XCTAssertEqual(out[1], Double(Float(4000) * Float(0.075) + Float(264)))
        let d64 = CFDecoding(dataType: .int32, attributes: ["scale_factor": .doubles([Double(Float(0.075))])],
                             netCDFDefaultFill: true, float32Attributes: ["scale_factor"])
        XCTAssertFalse(d64.unpackInFloat32) // int32 * float32 promotes to float64 in numpy
    }

    func testRolesOfRealFiles() throws {
        let cases: [(String, String, [DimensionRole])] = [
            ("real/era5_eda_members_t_z_2017-01.nc", "z", [.member, .time, .level, .latitude, .longitude]),
            ("real/ukmo_seasonal_t2m_monthly_ens.nc", "t2m", [.initTime, .member, .leadTime, .latitude, .longitude]),
            ("real/GMAO-GEOS-V2p1.RMM1.nc", "RMM1", [.initTime, .member, .leadTime]),
            ("real/gmao_geos_s2s_rmm1_ens_obs.nc", "rmm1", [.initTime, .leadTime]),
            ("real/era5_t2m_uk_2019-03.nc", "t2m", [.time, .latitude, .longitude]),
            ("real/era5_t2m_uk_2019-03_plain.h5", "/fields/t2m", [.time, .latitude, .longitude]),
            ("real/nc4uvt.nc", "/grp1/T", [.time, .level, .latitude, .longitude]),
            ("real/hgt.nc", "HGT", [.time, .latitude, .longitude]),
            ("real/uv300_64bit.nc", "U", [.time, .latitude, .longitude]),
            ("real/hswm_d000000p000.g2.nc", "height", [.time, .other]),
            ("perfect-model/reforecast_validation.nc", "z500", [.initTime, .member, .leadTime, .latitude, .longitude]),
            ("perfect-model/truth.nc", "t850", [.time, .latitude, .longitude]),
        ]
        for (name, variable, roles) in cases {
            let f = try GriddedFiles.open(try SharedData.path(name))
            XCTAssertEqual(try f.dimensionRoles(of: try f.variable(variable)), roles, "\(name) \(variable)")
        }
    }

    func testHDF5ReaderUnpacksLikeNetCDFReader() throws {
        // A netCDF-4 file is HDF5: read through libhdf5 directly, the packed int16 (float32 scale_factor) decodes the same.
        let p = try SharedData.path("perfect-model/truth.nc")
        let slab = Hyperslab(start: [100, 0, 0], count: [2, 48, 96])
        let a: Field<Double> = try NetCDFFile(path: p).readField("t850", hyperslab: slab)
        let h = try HDF5File(path: p)
        let b: Field<Double> = try h.readField("/t850", hyperslab: slab)
        XCTAssertTrue(try h.decoding(for: h.variable("/t850")).unpackInFloat32)
        XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern))
    }

    func testPlaneReaderMatchesFieldRead() throws {
        // Packed int16 (float32 unpacking) and plain float files: each 2-D plane equals the whole-field read.
        for (name, variable) in [("perfect-model/reforecast_validation.nc", "t2m"), ("real/era5_eda_members_t_z_2017-01.nc", "t"),
                                 ("real/eraint_uvz.nc", "u"), ("real/era5_t2m_uk_2019-03_plain.h5", "/fields/t2m")] {
            let f = try GriddedFiles.open(try SharedData.path(name))
            let v = try f.variable(variable)
            let r = try PlaneReader<Float>(file: f, variable: variable)
            var buf = [Float](repeating: 0, count: r.planeSize)
            for k in [0, r.planeCount / 2, r.planeCount - 1] {
                try buf.withUnsafeMutableBufferPointer { try r.read(plane: k, into: $0) }
                var start = [Int](repeating: 0, count: v.shape.count)
                var rem = k
                for d in stride(from: v.shape.count - 3, through: 0, by: -1) { start[d] = rem % v.shape[d]; rem /= v.shape[d] }
                var count = v.shape.map { _ in 1 }
                count[count.count - 1] = v.shape[v.shape.count - 1]; count[count.count - 2] = v.shape[v.shape.count - 2]
                let field: Field<Float> = try f.readField(variable, hyperslab: Hyperslab(start: start, count: count))
                XCTAssertEqual(buf.map(\.bitPattern), field.values.map(\.bitPattern), "\(name) plane \(k)")
            }
        }
    }
}
